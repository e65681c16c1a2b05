"""Validates SARIF logs against the SARIF 2.1.0 JSON Schema (CI: every `check --format sarif`).

Usage: sarif_validate.py SCHEMA LOG...  Exits 1 listing each log's first errors when one is
invalid. Needs only `jsonschema` (cfn-lint brings it into the SAM tools' environment).
"""

import json
import sys

import jsonschema


def main(argv):
    if len(argv) < 3:
        print(__doc__)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    failed = 0
    for path in argv[2:]:
        with open(path, encoding="utf-8") as f:
            log = json.load(f)
        errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
        if errors:
            failed += 1
            print(f"{path}: {len(errors)} schema errors")
            for error in errors[:5]:
                where = "/".join(str(p) for p in error.path)
                print(f"  at /{where}: {error.message[:300]}")
        elif log.get("version") != "2.1.0":
            failed += 1
            print(f"{path}: version is {log.get('version')!r}, not 2.1.0")
    print(f"SARIF: {len(argv) - 2 - failed} of {len(argv) - 2} logs valid against {schema.get('title', argv[1])}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
