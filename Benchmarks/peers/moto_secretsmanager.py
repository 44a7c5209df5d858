#!/usr/bin/env python3
"""Peer baseline: moto's in-process AWS Secrets Manager mock, driven through boto3.

The same operation mix as the FakeSecretsManagerBenchmarks suite: create N secrets (64-byte strings),
put a new value in each once (AWS's rotation), read each. Prints one JSON line with operations per second.
"""
import argparse
import json
import time

import boto3
from moto import mock_aws


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--secrets", type=int, default=2000)
    args = parser.parse_args()
    with mock_aws():
        client = boto3.client("secretsmanager", region_name="us-east-1")
        start = time.perf_counter()
        for index in range(args.secrets):
            client.create_secret(Name=f"secret-{index}", SecretString="v" * 64)
            client.put_secret_value(SecretId=f"secret-{index}", SecretString="w" * 64)
            client.get_secret_value(SecretId=f"secret-{index}")
        elapsed = time.perf_counter() - start
    operations = 3 * args.secrets
    print(json.dumps({"peer": "moto", "operations": operations, "seconds": elapsed,
                      "operations_per_second": operations / elapsed}))


if __name__ == "__main__":
    main()
