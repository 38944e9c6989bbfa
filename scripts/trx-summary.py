#!/usr/bin/env python3
"""Sums the outcomes of every .trx file under a directory and prints 'N passed, N failed, N skipped'.

With --failed it prints the names of the failed tests instead, one per line (scripts/soak.sh uses
it to say which test a loaded run caught).

A test run that was aborted (its test host crashed, or --blame-hang-timeout killed a hung test)
counts as one failure: the hung test has no result of its own, and a summary that left it out
would read green.
"""
import pathlib
import sys
import xml.etree.ElementTree as ET

NS = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"
args = [a for a in sys.argv[1:] if a != "--failed"]
list_failed = "--failed" in sys.argv[1:]
passed = failed = skipped = 0
failed_names = []
for trx in pathlib.Path(args[0]).rglob("*.trx"):
    for result in ET.parse(trx).getroot().iter(f"{NS}UnitTestResult"):
        outcome = result.get("outcome")
        if outcome == "Passed":
            passed += 1
        elif outcome in ("NotExecuted", "Inconclusive"):
            skipped += 1
        else:
            failed += 1
            failed_names.append(result.get("testName"))
    for info in ET.parse(trx).getroot().iter(f"{NS}RunInfo"):
        text = info.findtext(f"{NS}Text") or ""
        if info.get("outcome") == "Error" and "test run was aborted" in text.lower():
            failed += 1
            failed_names.append(f"(test run aborted, {trx.name}: {text.strip()})")
if list_failed:
    for name in sorted(failed_names):
        print(name)
else:
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
