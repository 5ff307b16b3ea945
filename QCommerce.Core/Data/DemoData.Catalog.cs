namespace QCommerce.Core.Data;

public static partial class DemoData
{
    // One line a product: emoji | brand | title | size unit price-in-cents [; size unit price ...]
    // Prices are the Metro North region's; Metro South sells a little cheaper (see PriceFor).
    internal static readonly (string Slug, string Name, string? Parent, string Emoji, string Lines)[] Categories =
    [
        ("fruit-vegetables", "Fruit & Vegetables", null, "🥦", ""),
        ("fruit", "Fresh Fruit", "fruit-vegetables", "🍎", """
            🍌|Del Monte|Bananas|6 Piece 199
            🍎|Honeycrisp Farms|Honeycrisp Apples|1 Kilogram 549
            🍎|Pink Lady|Pink Lady Apples|6 Piece 429
            🍊|Sunkist|Navel Oranges|1.5 Kilogram 599
            🍋|Sunkist|Lemons|4 Piece 249
            🍓|Driscoll's|Strawberries|400 Gram 449
            🫐|Driscoll's|Blueberries|125 Gram 399; 300 Gram 799
            🍇|Sun World|Seedless Red Grapes|500 Gram 479
            🥑|Mission|Hass Avocados Ripe & Ready|2 Piece 399
            🍍|Dole|Golden Pineapple|1 Piece 349
            🥝|Zespri|Green Kiwifruit|6 Piece 329
            🍐|Farmer's Market|Conference Pears|4 Piece 299
            """),
        ("vegetables", "Vegetables", "fruit-vegetables", "🥕", """
            🥕|Grimmway|Carrots|1 Kilogram 149
            🥔|Idaho Gold|Russet Potatoes|2.5 Kilogram 449
            🧅|Farmer's Market|Yellow Onions|1 Kilogram 179
            🍅|NatureSweet|Cherry Tomatoes|300 Gram 349
            🥒|Farmer's Market|English Cucumber|1 Piece 129
            🫑|Farmer's Market|Mixed Bell Peppers|3 Piece 399
            🥦|Green Giant|Broccoli Crowns|500 Gram 279
            🥬|Taylor Farms|Baby Spinach|142 Gram 329
            🥬|Taylor Farms|Romaine Hearts|3 Piece 379
            🧄|Christopher Ranch|Garlic|3 Piece 199
            🍄|Monterey|White Button Mushrooms|250 Gram 249
            🌽|Green Giant|Sweet Corn|4 Piece 349
            🍠|Farmer's Market|Sweet Potatoes|1 Kilogram 299
            🌿|Shenandoah|Fresh Basil|20 Gram 199
            """),
        ("dairy-eggs", "Dairy & Eggs", null, "🥛", """
            🥛|Horizon Organic|Whole Milk|1 Litre 289; 2 Litre 479
            🥛|Horizon Organic|Semi-Skimmed Milk|1 Litre 279
            🥛|Oatly|Oat Drink Barista Edition|1 Litre 399
            🥛|Silk|Unsweetened Almond Milk|1 Litre 349
            🥚|Vital Farms|Pasture-Raised Large Eggs|12 Piece 699; 6 Piece 389
            🧈|Kerrygold|Salted Irish Butter|250 Gram 449
            🧀|Tillamook|Medium Cheddar Block|226 Gram 499
            🧀|Galbani|Fresh Mozzarella|125 Gram 299
            🧀|President|Brie|200 Gram 549
            🧀|Parmigiano Reggiano|Parmesan Wedge|200 Gram 899
            🥣|Chobani|Greek Yogurt Plain|500 Gram 449
            🥣|Chobani|Strawberry Greek Yogurt|150 Gram 149
            🥣|Siggi's|Vanilla Skyr|150 Gram 189
            🍶|Philadelphia|Cream Cheese Original|226 Gram 349
            🥛|Horizon Organic|Heavy Whipping Cream|473 Millilitre 429
            🥣|Daisy|Sour Cream|454 Gram 249
            """),
        ("bakery", "Bakery", null, "🍞", """
            🍞|Dave's Killer Bread|21 Whole Grains Bread|765 Gram 599
            🍞|Pepperidge Farm|Farmhouse White Bread|624 Gram 449
            🥖|Boulangerie|French Baguette|250 Gram 249
            🥐|Boulangerie|Butter Croissants|4 Piece 499
            🥯|Thomas'|Plain Bagels|6 Piece 429
            🫓|Mission|Flour Tortillas|8 Piece 329
            🍞|Boulangerie|Sourdough Loaf|800 Gram 649
            🧁|Boulangerie|Blueberry Muffins|4 Piece 549
            🍩|Krispy Kreme|Original Glazed Doughnuts|6 Piece 699
            🍞|Arnold|Brioche Burger Buns|4 Piece 399
            🥨|Auntie Anne's|Soft Pretzels|4 Piece 449
            🍞|Pepperidge Farm|Cinnamon Swirl Bread|453 Gram 479
            🫓|Stonefire|Naan Bread Original|2 Piece 399
            🍪|Boulangerie|Chocolate Chip Cookies|6 Piece 449
            🥧|Marie Callender's|Apple Pie|1 Kilogram 899
            🍰|Boulangerie|Carrot Cake Slices|2 Piece 549
            """),
        ("meat-fish", "Meat & Fish", null, "🥩", """
            🍗|Perdue|Boneless Chicken Breasts|700 Gram 899
            🍗|Perdue|Chicken Thighs Bone-In|1 Kilogram 749
            🥩|Certified Angus|Ribeye Steak|340 Gram 1499
            🥩|Certified Angus|Ground Beef 85% Lean|454 Gram 699
            🥓|Applegate|Uncured Sunday Bacon|227 Gram 699
            🌭|Hebrew National|Beef Franks|7 Piece 629
            🍖|Smithfield|Pork Tenderloin|500 Gram 799
            🐟|Bumble Bee|Atlantic Salmon Fillets|340 Gram 1199
            🦐|SeaPak|Raw Jumbo Shrimp|454 Gram 1299
            🐟|Gorton's|Cod Fillets|400 Gram 999
            🍖|Oscar Mayer|Oven Roasted Turkey Slices|255 Gram 549
            🍖|Boar's Head|Black Forest Ham|200 Gram 699
            🌭|Johnsonville|Italian Sausage|5 Piece 649
            🐟|Wild Planet|Albacore Tuna in Water|142 Gram 449
            """),
        ("pantry", "Pantry", null, "🥫", """
            🍝|Barilla|Spaghetti No. 5|454 Gram 199
            🍝|Barilla|Penne Rigate|454 Gram 199
            🍚|Mahatma|Jasmine Rice|907 Gram 399
            🍚|Uncle Ben's|Basmati Rice|1 Kilogram 499
            🥫|Rao's Homemade|Marinara Sauce|680 Gram 899
            🥫|Mutti|Chopped Tomatoes|400 Gram 229
            🥫|Bush's|Black Beans|425 Gram 149
            🥫|Goya|Chickpeas|439 Gram 159
            🫒|Bertolli|Extra Virgin Olive Oil|500 Millilitre 899; 1 Litre 1599
            🌻|Crisco|Vegetable Oil|1.4 Litre 599
            🧂|Morton|Sea Salt Fine|737 Gram 349
            🍯|Nature Nate's|Raw Honey|454 Gram 799
            🥜|Jif|Creamy Peanut Butter|454 Gram 399
            🍓|Bonne Maman|Strawberry Preserves|370 Gram 549
            🌾|King Arthur|All-Purpose Flour|2.27 Kilogram 599
            🍬|Domino|Granulated Sugar|1.8 Kilogram 449
            🥫|Campbell's|Chicken Noodle Soup|305 Gram 199
            🍜|Nissin|Cup Noodles Chicken|64 Gram 99
            🫙|Hellmann's|Real Mayonnaise|887 Millilitre 599
            🍅|Heinz|Tomato Ketchup|907 Gram 449
            🌶️|Cholula|Original Hot Sauce|150 Millilitre 399
            """),
        ("snacks-sweets", "Snacks & Sweets", null, "🍫", """
            🥔|Lay's|Classic Potato Chips|226 Gram 479
            🥔|Kettle Brand|Sea Salt & Vinegar Chips|142 Gram 429
            🌽|Tostitos|Scoops Tortilla Chips|283 Gram 499
            🍿|SkinnyPop|Original Popcorn|125 Gram 449
            🥨|Snyder's|Mini Pretzels|454 Gram 429
            🍫|Lindt|Excellence 70% Dark Chocolate|100 Gram 349
            🍫|Hershey's|Milk Chocolate Bar|43 Gram 149
            🍫|M&M's|Peanut Chocolate Candies|303 Gram 599
            🍬|Haribo|Goldbears Gummy Candy|142 Gram 199
            🍪|Oreo|Chocolate Sandwich Cookies|303 Gram 479
            🍪|Nature Valley|Oats 'n Honey Granola Bars|12 Piece 499
            🥜|Blue Diamond|Roasted Salted Almonds|170 Gram 549
            🥜|Planters|Dry Roasted Peanuts|454 Gram 449
            🍘|Ritz|Original Crackers|388 Gram 449
            🍦|Ben & Jerry's|Chocolate Fudge Brownie Ice Cream|465 Millilitre 649
            🍬|Jolly Rancher|Hard Candy Assorted|198 Gram 299
            🍫|Kit Kat|Milk Chocolate Wafer Bar|42 Gram 149
            """),
        ("drinks", "Drinks", null, "🥤", ""),
        ("water-soft-drinks", "Water & Soft Drinks", "drinks", "🥤", """
            💧|Poland Spring|Still Spring Water|1.5 Litre 149; 6 Pack 599
            💧|San Pellegrino|Sparkling Mineral Water|750 Millilitre 229
            🥤|Coca-Cola|Coca-Cola Classic|6 Pack 549; 2 Litre 299
            🥤|Coca-Cola|Coca-Cola Zero Sugar|6 Pack 549
            🥤|Sprite|Lemon-Lime Soda|2 Litre 299
            🥤|LaCroix|Lime Sparkling Water|8 Pack 549
            ⚡|Red Bull|Energy Drink|250 Millilitre 299
            🥤|Gatorade|Cool Blue Sports Drink|946 Millilitre 229
            🍵|Arizona|Green Tea with Honey|680 Millilitre 129
            🥤|Olipop|Vintage Cola Prebiotic Soda|355 Millilitre 279
            """),
        ("juice-coffee-tea", "Juice, Coffee & Tea", "drinks", "☕", """
            🧃|Tropicana|Pure Premium Orange Juice|1.54 Litre 549
            🧃|Simply|Apple Juice|1.54 Litre 449
            🧃|Ocean Spray|Cranberry Juice Cocktail|1.89 Litre 449
            ☕|Starbucks|Pike Place Ground Coffee|340 Gram 999
            ☕|Lavazza|Espresso Italiano Whole Bean|1 Kilogram 1999
            ☕|Nespresso|Original Capsules Variety|10 Pack 899
            🍵|Twinings|English Breakfast Tea|100 Piece 699
            🍵|Yogi|Ginger Lemon Herbal Tea|16 Piece 449
            ☕|Starbucks|Cold Brew Black Unsweetened|325 Millilitre 399
            🥤|Naked|Green Machine Smoothie|450 Millilitre 449
            """),
        ("frozen", "Frozen", null, "🧊", """
            🍕|Amy's|Margherita Pizza|370 Gram 799
            🍕|DiGiorno|Rising Crust Pepperoni Pizza|773 Gram 849
            🍟|Ore-Ida|Golden Crinkles French Fries|907 Gram 499
            🥦|Birds Eye|Steamfresh Broccoli Florets|340 Gram 279
            🫛|Birds Eye|Sweet Peas|340 Gram 249
            🍓|Wyman's|Frozen Mixed Berries|1.36 Kilogram 1099
            🍗|Tyson|Crispy Chicken Nuggets|907 Gram 999
            🥟|Bibigo|Pork & Vegetable Dumplings|680 Gram 899
            🍦|Häagen-Dazs|Vanilla Ice Cream|414 Millilitre 599
            🍦|Talenti|Sea Salt Caramel Gelato|473 Millilitre 649
            🧇|Eggo|Homestyle Waffles|10 Piece 399
            🌯|Amy's|Bean & Cheese Burrito|170 Gram 349
            🐟|Gorton's|Crunchy Fish Sticks|680 Gram 849
            🧊|Reddy Ice|Party Ice Bag|3.2 Kilogram 349
            """),
        ("breakfast-cereal", "Breakfast & Cereal", null, "🥣", """
            🥣|Cheerios|Original Cheerios|510 Gram 549
            🥣|Kellogg's|Frosted Flakes|680 Gram 599
            🥣|Quaker|Old Fashioned Rolled Oats|1.19 Kilogram 529
            🥣|Nature's Path|Organic Granola Pumpkin Seed|312 Gram 649
            🥣|Post|Honey Bunches of Oats|411 Gram 479
            🥞|Aunt Jemima|Original Pancake Mix|907 Gram 399
            🍁|Maple Grove|Pure Maple Syrup|250 Millilitre 899
            🍫|Nutella|Hazelnut Spread|371 Gram 549
            🥣|Kashi|Go Original Cereal|382 Gram 529
            🥣|Bob's Red Mill|Steel Cut Oats|680 Gram 449
            🍓|Smucker's|Grape Jelly|510 Gram 329
            🥣|Special K|Red Berries|371 Gram 499
            🍌|Quaker|Banana Nut Instant Oatmeal|10 Pack 449
            🥚|Just Egg|Plant-Based Scramble|355 Millilitre 599
            """),
        ("household", "Household", null, "🧻", """
            🧻|Charmin|Ultra Soft Toilet Paper|12 Pack 1399
            🧻|Bounty|Select-A-Size Paper Towels|6 Pack 1299
            🧴|Dawn|Ultra Dish Soap Original|562 Millilitre 349
            🧼|Cascade|Platinum Dishwasher Pods|36 Piece 1299
            🧺|Tide|Original Liquid Laundry Detergent|2.72 Litre 1399
            🧺|Downy|April Fresh Fabric Softener|1.53 Litre 799
            🧽|Scotch-Brite|Heavy Duty Scrub Sponges|6 Piece 549
            🗑️|Glad|ForceFlex Kitchen Trash Bags|40 Piece 1099
            🧴|Lysol|Disinfecting Wipes Lemon|80 Piece 599
            🧴|Windex|Original Glass Cleaner|680 Millilitre 449
            🔋|Duracell|AA Alkaline Batteries|8 Pack 999
            💡|Philips|LED A19 60W Equivalent Bulbs|4 Pack 899
            🕯️|Yankee Candle|Clean Cotton Jar Candle|411 Gram 2499
            🧻|Kleenex|Facial Tissues|4 Pack 749
            """),
        ("personal-care", "Personal Care", null, "🧴", """
            🪥|Colgate|Total Whitening Toothpaste|136 Gram 449
            🪥|Oral-B|Pro-Health Toothbrushes|2 Pack 599
            🧴|Head & Shoulders|Classic Clean Shampoo|400 Millilitre 749
            🧴|Pantene|Daily Moisture Renewal Conditioner|355 Millilitre 649
            🧼|Dove|Beauty Bar Original|4 Pack 649
            🧴|Dove|Deep Moisture Body Wash|650 Millilitre 899
            🧴|Old Spice|Original Deodorant Stick|85 Gram 549
            🧴|CeraVe|Daily Moisturizing Lotion|355 Millilitre 1699
            🧴|Neutrogena|Ultra Sheer Sunscreen SPF 50|88 Millilitre 1199
            🪒|Gillette|Fusion5 Razor Blades|4 Pack 1999
            🩹|Band-Aid|Flexible Fabric Bandages|30 Piece 549
            💊|Tylenol|Extra Strength Caplets|100 Piece 1199
            🧴|Purell|Advanced Hand Sanitizer|236 Millilitre 399
            💄|Burt's Bees|Beeswax Lip Balm|4 Pack 999
            """),
        ("baby-pet", "Baby & Pet", null, "🍼", """
            🍼|Pampers|Swaddlers Diapers Size 2|74 Piece 2899
            🍼|Huggies|Natural Care Baby Wipes|168 Piece 899
            🍼|Gerber|Organic Banana Puree|2 Pack 279
            🍼|Similac|Pro-Advance Infant Formula|964 Gram 4699
            🍼|Happy Baby|Organic Puffs Strawberry|60 Gram 399
            🍼|Johnson's|Head-to-Toe Baby Wash|500 Millilitre 699
            🐶|Purina|Pro Plan Adult Dog Food Chicken|2.7 Kilogram 2399
            🐱|Fancy Feast|Classic Pate Variety Pack|12 Pack 1299
            🐱|Tidy Cats|Clumping Cat Litter|9.07 Kilogram 1599
            🐶|Milk-Bone|Original Dog Biscuits|680 Gram 649
            🐱|Temptations|Classic Tasty Chicken Cat Treats|85 Gram 349
            🐶|Greenies|Dental Dog Treats Regular|12 Piece 1799
            🐾|Arm & Hammer|Pet Stain & Odor Remover|946 Millilitre 899
            🐟|Tetra|TetraMin Tropical Flakes|62 Gram 799
            """),
    ];
}
