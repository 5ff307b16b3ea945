#!/usr/bin/env python3
"""Prepares the payments bench against a running QCommerce (bench/payments.sh calls it).

  orders  URL TOKEN COUNT OUT      places COUNT card orders, writes their ids, one per line
  intents URL TOKEN ORDERS COUNT OUT  starts payments for the first COUNT orders (a checkout page each) and names the
                                    PaymentIntent each will be paid with: "<intent id> <payment id> <amount>" per line
  events  SECRET INTENTS COUNT OUT  writes COUNT signed Stripe events (distinct ids) about those intents, with their
                                    payments' amounts and metadata as Stripe sends them: "<Stripe-Signature>\t<body>"
                                    per line, signed now (tolerance is 300 s)
  picks   URL TOKEN ADMIN ORDERS OUT  pays each order on the sandbox's hosted page with a test card (its total held, as a
                                    shopper's is), waits until the orders are paid, starts their pick and writes the pick
                                    each will finish with, one line short in every other: "<order id>\t<body>" per line
  charged URL ADMIN PICKS           waits until every picked order's card is charged, then prints what the capture took
                                    from the pick to the charge: "RESULT <charges/s> <p50 ms> <p95> <p99> <not charged>"
  paced   URL ADMIN PICKS           finishes each pick of PICKS alone and waits for its card to be charged before the next
                                    (a store's pace): "RESULT <charges/s> <p50 ms> <p95> <p99> <not charged>", pick to charge
"""
import datetime, hashlib, hmac, http.client, json, random, re, sys, time, urllib.parse, uuid


def client(url):
    u = urllib.parse.urlparse(url)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=30)


def post(conn, path, token, body, key):
    conn.request("POST", path, json.dumps(body), {
        "Content-Type": "application/json", "Authorization": "Bearer " + token, "Idempotency-Key": key})
    response = conn.getresponse()
    data = response.read()
    if response.status != 201:
        sys.exit(f"{path} answered {response.status}: {data[:300]!r}")
    return json.loads(data)


def orders(url, token, count, out):
    conn = client(url)
    with open(out, "w") as f:
        for i in range(count):
            a, b = random.sample(range(1, 200), 2)
            order = post(conn, "/v1/orders", token, {
                "storeId": "st_1", "items": [{"skuId": f"sku_{a}", "qty": 1}, {"skuId": f"sku_{b}", "qty": 1}],
                "address": {"line1": "1 Bench Street", "city": "New York", "zip": "10013"},
                "paymentMethod": {"type": "card"}}, str(uuid.uuid4()))
            f.write(order["orderId"] + "\n")


def intents(url, token, orders_file, count, out):
    conn = client(url)
    ids = open(orders_file).read().split()[:count]
    with open(out, "w") as f:
        for order_id in ids:
            started = post(conn, "/v1/payments", token, {"orderId": order_id}, str(uuid.uuid4()))
            # The PaymentIntent is made when the shopper pays on the page; its events name the payment in their metadata.
            f.write(f"pi_bench{uuid.uuid4().hex} {started['paymentId']} {started['amount']['value']}\n")


def events(secret, intents_file, count, out):
    ids = [line.split() for line in open(intents_file).read().splitlines() if line]
    now = int(time.time())
    run = uuid.uuid4().hex[:8]  # every file its own ids: a second run must not replay the first one's
    kinds = [("payment_intent.requires_action", "requires_action"), ("payment_intent.amount_capturable_updated", "requires_capture"),
             ("payment_intent.succeeded", "succeeded")]
    with open(out, "w") as f:
        for i in range(count):
            intent, payment, amount = random.choice(ids)
            amount = int(amount)
            kind, status = random.choice(kinds)
            body = json.dumps({
                "id": f"evt_bench_{run}_{i}", "object": "event", "api_version": "2026-10-28.endive", "created": now,
                "livemode": False, "type": kind,
                "data": {"object": {"id": intent, "object": "payment_intent", "amount": amount,
                                    "amount_received": amount if status == "succeeded" else 0,
                                    "amount_capturable": amount if status == "requires_capture" else 0, "currency": "usd",
                                    "status": status, "metadata": {"payment_id": payment, "attempt": "1"}}}},
                separators=(",", ":"))
            signature = hmac.new(secret.encode(), f"{now}.{body}".encode(), hashlib.sha256).hexdigest()
            f.write(f"t={now},v1={signature}\t{body}\n")


def get(conn, path, token):
    conn.request("GET", path, headers={"Authorization": "Bearer " + token})
    response = conn.getresponse()
    data = response.read()
    if response.status != 200:
        sys.exit(f"{path} answered {response.status}: {data[:300]!r}")
    return json.loads(data)


def pay_on_page(url, page_url):
    """The shopper's browser on the sandbox's hosted page: open it (its antiforgery cookie and token), post the test card."""
    conn = client(url)
    path = urllib.parse.urlparse(page_url).path
    conn.request("GET", path)
    response = conn.getresponse()
    html = response.read().decode()
    cookies = "; ".join(c.split(";", 1)[0] for k, c in response.getheaders() if k.lower() == "set-cookie")
    token = re.search(r'name="__RequestVerificationToken"[^>]*value="([^"]+)"', html).group(1)
    form = urllib.parse.urlencode({"number": "4242424242424242", "expiry": "12/34", "cvc": "123", "__RequestVerificationToken": token})
    conn.request("POST", path, form, {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookies})
    response = conn.getresponse()
    response.read()
    if response.status != 302:
        sys.exit(f"the pay page {path} answered {response.status}")


def picks(url, token, admin, orders_file, out):
    conn = client(url)
    ids = open(orders_file).read().split()
    for order_id in ids:
        started = post(conn, "/v1/payments", token, {"orderId": order_id}, str(uuid.uuid4()))
        pay_on_page(url, started["nextAction"]["url"])
    with open(out, "w") as f:
        for n, order_id in enumerate(ids):
            while get(conn, f"/v1/orders/{order_id}", token)["status"] != "paid":  # the hold's webhook, through the outbox
                time.sleep(0.05)
            conn.request("POST", f"/v1/ops/orders/{order_id}/start-picking", "", {"Authorization": "Bearer " + admin})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                sys.exit(f"start-picking {order_id} answered {response.status}")
            lines = get(conn, f"/v1/ops/orders/{order_id}", admin)["lines"]
            body = {"lines": [{"skuId": l["skuId"], "pickedQty": l["qty"] - (1 if n % 2 == 1 and i == 0 else 0)} for i, l in enumerate(lines)]}
            f.write(f"{order_id}\t{json.dumps(body, separators=(',', ':'))}\n")


def charged(url, admin, picks_file):
    conn = client(url)
    ids = [line.split("\t")[0] for line in open(picks_file).read().splitlines() if line]
    deadline = time.time() + 120
    took, first_pick, last_charge, missing = [], None, None, 0
    at = lambda e: datetime.datetime.fromisoformat(e["at"].replace("Z", "+00:00"))
    picked = lambda e: e["text"] and (e["text"].startswith("All your items are packed") or e["text"].startswith("Not in stock after all"))
    for order_id in ids:
        while True:
            order = get(conn, f"/v1/ops/orders/{order_id}", admin)
            if order["money"]["hold"] == "captured" or not any(picked(e) for e in order["timeline"]) or time.time() > deadline:
                break  # charged, or never picked (the run ended first), or given up on
            time.sleep(0.05)
        timeline = order["timeline"]
        pick = next((e for e in timeline if picked(e)), None)
        charge = next((e for e in timeline if e["text"] and e["text"].startswith("Charged ")), None)
        if pick is None:
            continue
        if charge is None:
            missing += 1
            continue
        took.append((at(charge) - at(pick)).total_seconds() * 1000)
        first_pick = min(first_pick or at(pick), at(pick))
        last_charge = max(last_charge or at(charge), at(charge))
    took.sort()
    q = lambda p: took[min(len(took) - 1, int(p * len(took)))] if took else 0
    rate = len(took) / max(0.001, (last_charge - first_pick).total_seconds()) if took else 0
    print(f"RESULT {rate:.0f} {q(0.5):.1f} {q(0.95):.1f} {q(0.99):.1f} {missing}")


def paced(url, admin, picks_file):
    conn = client(url)
    took, missing, started = [], 0, time.time()
    for line in open(picks_file).read().splitlines():
        order_id, body = line.split("\t")
        t0 = time.time()
        conn.request("POST", f"/v1/ops/orders/{order_id}/pick", body, {"Content-Type": "application/json", "Authorization": "Bearer " + admin})
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            sys.exit(f"pick {order_id} answered {response.status}")
        while get(conn, f"/v1/ops/orders/{order_id}", admin)["money"]["hold"] != "captured":
            if time.time() - t0 > 30:
                missing += 1
                break
            time.sleep(0.002)
        else:
            took.append((time.time() - t0) * 1000)
    took.sort()
    q = lambda p: took[min(len(took) - 1, int(p * len(took)))] if took else 0
    print(f"RESULT {len(took) / max(0.001, time.time() - started):.0f} {q(0.5):.1f} {q(0.95):.1f} {q(0.99):.1f} {missing}")


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "orders":
        orders(args[0], args[1], int(args[2]), args[3])
    elif command == "intents":
        intents(args[0], args[1], args[2], int(args[3]), args[4])
    elif command == "events":
        events(args[0], args[1], int(args[2]), args[3])
    elif command == "picks":
        picks(args[0], args[1], args[2], args[3], args[4])
    elif command == "charged":
        charged(args[0], args[1], args[2])
    elif command == "paced":
        paced(args[0], args[1], args[2])
    else:
        sys.exit(__doc__)
