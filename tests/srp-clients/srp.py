"""USER_SRP_AUTH through pycognito's AWSSRP and a boto3 client pointed at
cognate: the Python half of the independent SRP clients that
tests/it/api_srp.rs runs.

Usage: python3 srp.py '<json>' with the members
  endpoint, pool_id, client_id, username, password   (required)
  client_secret     the app client's secret, if it has one
  new_password      answer NEW_PASSWORD_REQUIRED with it
  totp_secret       answer SOFTWARE_TOKEN_MFA with a code from this base32
                    secret, for the time step `totp_offset` seconds ahead
                    (default 30: the step the enrollment used is spent)

Prints one JSON line: the AuthenticationResult on success, or
{"error": "<Cognito exception name>", "message": "..."} (exit status 1).
boto3 needs credentials and a region even for unsigned calls: dummy ones
are set here unless the environment has them.
"""

import base64
import hashlib
import hmac
import json
import os
import struct
import sys
import time

import boto3
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP
from pycognito.exceptions import (
    ForceChangePasswordException,
    SoftwareTokenMFAChallengeException,
)


def totp(secret_b32, at):
    key = base64.b32decode(secret_b32.upper() + "=" * (-len(secret_b32) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return "%06d" % (number % 1_000_000)


def main():
    args = json.loads(sys.argv[1])
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "dummy")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "dummy")
    client = boto3.client(
        "cognito-idp", endpoint_url=args["endpoint"], region_name="us-east-1"
    )
    srp = AWSSRP(
        username=args["username"],
        password=args["password"],
        pool_id=args["pool_id"],
        client_id=args["client_id"],
        client=client,
        client_secret=args.get("client_secret"),
    )
    try:
        if args.get("new_password"):
            tokens = srp.set_new_password_challenge(args["new_password"])
        else:
            tokens = srp.authenticate_user()
    except ForceChangePasswordException as e:
        print(json.dumps({"error": "NEW_PASSWORD_REQUIRED", "message": str(e)}))
        return 1
    except SoftwareTokenMFAChallengeException as e:
        challenge = e.get_tokens()
        if not args.get("totp_secret"):
            print(json.dumps({"error": "SOFTWARE_TOKEN_MFA", "message": str(e)}))
            return 1
        name = challenge["ChallengeParameters"]["USER_ID_FOR_SRP"]
        responses = {
            "USERNAME": name,
            "SOFTWARE_TOKEN_MFA_CODE": totp(
                args["totp_secret"], time.time() + args.get("totp_offset", 30)
            ),
        }
        if args.get("client_secret"):
            responses["SECRET_HASH"] = AWSSRP.get_secret_hash(
                name, args["client_id"], args["client_secret"]
            )
        tokens = client.respond_to_auth_challenge(
            ClientId=args["client_id"],
            ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=challenge["Session"],
            ChallengeResponses=responses,
        )
    result = tokens.get("AuthenticationResult")
    if not result:
        print(json.dumps({"error": tokens.get("ChallengeName"), "message": "no tokens"}))
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ClientError as e:
        err = e.response.get("Error", {})
        print(json.dumps({"error": err.get("Code"), "message": err.get("Message")}))
        sys.exit(1)
