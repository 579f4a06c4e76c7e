"""Upload the storefront script to the stack's bucket (CreateStorefrontCdn=true): `make storefront-upload`.

Reads the bucket from the stack's outputs, uploads `infra/storefront/passaparola.js` with a short cache
lifetime (a fix reaches shoppers within minutes), and prints the URL for the script tag.
"""

import argparse
from pathlib import Path

import boto3

SCRIPT = Path(__file__).resolve().parents[1] / "storefront" / "passaparola.js"
CACHE_CONTROL = "public, max-age=300"


def outputs(stack: str) -> dict[str, str]:
    described = boto3.client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stack-name", default="passaparola")
    args = parser.parse_args()
    found = outputs(args.stack_name)
    bucket = found.get("StorefrontBucketName")
    if not bucket:
        raise SystemExit("The stack has no storefront bucket: deploy with CreateStorefrontCdn=true.")
    boto3.client("s3").upload_file(
        str(SCRIPT),
        bucket,
        "passaparola.js",
        ExtraArgs={"ContentType": "application/javascript; charset=utf-8", "CacheControl": CACHE_CONTROL},
    )
    print(
        f'<script src="{found["StorefrontScriptUrl"]}" data-api="{found.get("ApiUrl", "")}" data-key="pk_..."></script>'
    )


if __name__ == "__main__":
    main()
