#!/usr/bin/env python3
"""Peer baseline: SimPy on the kernel benchmark's model.

50 clients; each waits an exponential pause (rate 20/s), then a request takes a 5 ms service delay; one
million requests in all. Prints one JSON line with requests and events per second (two timeouts, so two
events, per request).
"""
import argparse
import json
import random
import time

import simpy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=50)
    args = parser.parse_args()
    env = simpy.Environment()
    rng = random.Random(1)
    state = {"completed": 0}

    def client():
        while state["completed"] < args.requests:
            yield env.timeout(rng.expovariate(20.0))
            yield env.timeout(0.005)
            state["completed"] += 1

    for _ in range(args.clients):
        env.process(client())
    start = time.perf_counter()
    env.run()
    elapsed = time.perf_counter() - start
    print(json.dumps({"peer": "simpy", "requests": state["completed"], "seconds": elapsed,
                      "requests_per_second": state["completed"] / elapsed,
                      "events_per_second": 2 * state["completed"] / elapsed}))


if __name__ == "__main__":
    main()
