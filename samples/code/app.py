"""The code every sample function is deployed with (`code_uri: code/` in the samples).

It logs the event it was given and answers an API request with 200: enough for
`sam deploy` to create a working stack whose events you can watch in CloudWatch Logs.
Give each function its own folder and code for real work.
"""

import json


def handler(event, context):
    print(json.dumps(event, default=str))
    return {"statusCode": 200, "body": json.dumps({"ok": True})}
