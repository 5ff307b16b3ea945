#!/usr/bin/env python3
"""Prepares the payments bench against a running QCommerce (bench/payments.sh calls it).

  orders  URL TOKEN COUNT OUT      places COUNT card orders, writes their ids, one per line
  intents URL TOKEN ORDERS COUNT OUT  starts payments for the first COUNT orders (a checkout page each) and names the
                                    PaymentIntent each will be paid with: "<intent id> <payment id> <amount>" per line
  events  SECRET INTENTS COUNT OUT  writes COUNT signed Stripe events (distinct ids) about those intents, with their
                                    payments' amounts and metadata as Stripe sends them: "<Stripe-Signature>\t<body>"
                                    per line, signed now (tolerance is 300 s)
"""
import hashlib, hmac, http.client, json, random, sys, time, urllib.parse, uuid


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
    kinds = [("payment_intent.requires_action", "requires_action"), ("payment_intent.succeeded", "succeeded")]
    with open(out, "w") as f:
        for i in range(count):
            intent, payment, amount = random.choice(ids)
            amount = int(amount)
            kind, status = random.choice(kinds)
            body = json.dumps({
                "id": f"evt_bench_{run}_{i}", "object": "event", "api_version": "2026-10-28.endive", "created": now,
                "livemode": False, "type": kind,
                "data": {"object": {"id": intent, "object": "payment_intent", "amount": amount,
                                    "amount_received": amount if status == "succeeded" else 0, "currency": "usd",
                                    "status": status, "metadata": {"payment_id": payment, "attempt": "1"}}}},
                separators=(",", ":"))
            signature = hmac.new(secret.encode(), f"{now}.{body}".encode(), hashlib.sha256).hexdigest()
            f.write(f"t={now},v1={signature}\t{body}\n")


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "orders":
        orders(args[0], args[1], int(args[2]), args[3])
    elif command == "intents":
        intents(args[0], args[1], args[2], int(args[3]), args[4])
    elif command == "events":
        events(args[0], args[1], int(args[2]), args[3])
    else:
        sys.exit(__doc__)
