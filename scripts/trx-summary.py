#!/usr/bin/env python3
"""Sums the outcomes of every .trx file under a directory and prints 'N passed, N failed, N skipped'."""
import pathlib
import sys
import xml.etree.ElementTree as ET

NS = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"
passed = failed = skipped = 0
for trx in pathlib.Path(sys.argv[1]).rglob("*.trx"):
    for result in ET.parse(trx).getroot().iter(f"{NS}UnitTestResult"):
        outcome = result.get("outcome")
        if outcome == "Passed":
            passed += 1
        elif outcome in ("NotExecuted", "Inconclusive"):
            skipped += 1
        else:
            failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
