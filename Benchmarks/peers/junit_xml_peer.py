#!/usr/bin/env python3
"""Peer baseline: a JUnit file of N test cases written with the junit-xml package (what many Python CI
scripts use) and validated with lxml's XMLSchema (libxml2 underneath), against the same kind of schema.

Prints one JSON line: seconds to write, seconds to validate, bytes. Run: pip install junit-xml lxml.
"""
import argparse
import json
import time

from junit_xml import TestCase, TestSuite, to_xml_report_string
from lxml import etree

SCHEMA = b"""<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:element name="testsuites"><xs:complexType><xs:sequence>
    <xs:element name="testsuite" maxOccurs="unbounded"><xs:complexType><xs:sequence>
      <xs:element name="properties" minOccurs="0"><xs:complexType><xs:sequence>
        <xs:element name="property" maxOccurs="unbounded"><xs:complexType>
          <xs:attribute name="name" use="required"/><xs:attribute name="value" use="required"/>
        </xs:complexType></xs:element></xs:sequence></xs:complexType></xs:element>
      <xs:element name="testcase" minOccurs="0" maxOccurs="unbounded"><xs:complexType><xs:sequence>
        <xs:element name="failure" minOccurs="0"><xs:complexType><xs:simpleContent><xs:extension base="xs:string">
          <xs:attribute name="message"/><xs:attribute name="type"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
        <xs:element name="system-out" type="xs:string" minOccurs="0"/>
      </xs:sequence><xs:anyAttribute processContents="skip"/></xs:complexType></xs:element>
      <xs:element name="system-out" type="xs:string" minOccurs="0"/>
    </xs:sequence><xs:anyAttribute processContents="skip"/></xs:complexType></xs:element>
  </xs:sequence><xs:anyAttribute processContents="skip"/></xs:complexType></xs:element>
</xs:schema>"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--suites", type=int, default=100)
    args = parser.parse_args()
    per_suite = args.cases // args.suites
    started = time.perf_counter()
    suites = []
    for s in range(args.suites):
        cases = []
        for c in range(per_suite):
            case = TestCase(f"RTO within 1m #{c}", classname=f"smdrill.drill.scenario-{s}", elapsed_sec=0.5)
            if c % 10 == 0:
                case.add_failure_info(message="RTO 34m12s exceeds objective 30m", output="t+30m fault\nt+64m12s recovered")
            cases.append(case)
        suites.append(TestSuite(f"scenario-{s}", cases, properties={"seed": "7", "rto_seconds": "2052"}))
    text = to_xml_report_string(suites).encode()
    wrote = time.perf_counter() - started
    started = time.perf_counter()
    schema = etree.XMLSchema(etree.fromstring(SCHEMA))
    valid = schema.validate(etree.fromstring(text))
    validated = time.perf_counter() - started
    print(json.dumps({"cases": args.cases, "write_seconds": round(wrote, 4), "validate_seconds": round(validated, 4),
                      "valid": valid, "bytes": len(text)}))


if __name__ == "__main__":
    main()
