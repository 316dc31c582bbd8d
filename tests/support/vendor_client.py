"""Drives the vendor's own Python SDKs against an endpoint, for tests/vendor-clients.test.mjs.

Reads one JSON job from stdin:
  {"sdk": "tea-v3" | "tea-v1" | "core", "endpoint": "127.0.0.1:PORT",
   "accessKeyId": ..., "accessKeySecret": ...,
   "requests": [{"action": "StartCasterScene" | "AddCasterVideoResource", "params": {...},
                 "count": N, "stopOn": CODE}]}
and sends each request N times (default 1; a fresh signature each time, no retries; stopping after
an error whose code is stopOn), writing one JSON line per attempt. The tea SDKs also take the
production-studio workflow: DescribeCasters (a "Tag" param of [{"Key", "Value"}] becomes the SDK's
DescribeCastersRequestTag list), DescribeCasterScenes, DescribeCasterVideoResources,
ModifyCasterVideoResource, DeleteCasterVideoResource and StopCasterScene, each with its params in
the API's PascalCase; a param whose value is "$ResourceId" takes the ResourceId of the last
successful AddCasterVideoResource. One line per attempt:
{"action", "ok": true, "body": {...}} or {"action", "ok": false, "code", "status", "message", "type"},
as the SDK surfaced it. The secret comes on stdin, not the command line.

  tea-v3  alibabacloud-live20161101 on its default signing (ACS3-HMAC-SHA256)
  tea-v1  the same client with signature_algorithm='v2' (RPC signature v1, HMAC-SHA1)
  core    aliyun-python-sdk-core's AcsClient with aliyun-python-sdk-live's request classes
"""

import json
import re
import sys

MAX_REQUESTS = 50  # a bound on the requests one job sends


def tea_client(job, v1):
    from alibabacloud_live20161101.client import Client
    from alibabacloud_tea_openapi import utils_models

    config = utils_models.Config(
        access_key_id=job["accessKeyId"],
        access_key_secret=job["accessKeySecret"],
        endpoint=job["endpoint"],
        protocol="http",
        region_id="cn-shanghai",
    )
    if v1:
        # alibabacloud_tea_openapi/client.py call_api: 'v2' selects do_rpcrequest (signature v1).
        config.signature_algorithm = "v2"
    return Client(config)


def snake(name):
    """The SDK's name of an API name: CasterId -> caster_id, DescribeCasters -> describe_casters."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


# The operations driven through the SDK's own request model, found by name.
WORKFLOW = (
    "DescribeCasters", "DescribeCasterScenes", "DescribeCasterVideoResources",
    "ModifyCasterVideoResource", "DeleteCasterVideoResource", "StopCasterScene",
)


def tea_workflow(client, models, runtime, action, params):
    fields = {snake(name): value for name, value in params.items() if name != "Tag"}
    if "Tag" in params:
        fields["tag"] = [models.DescribeCastersRequestTag(key=t.get("Key"), value=t.get("Value")) for t in params["Tag"]]
    request = getattr(models, action + "Request")(region_id="cn-shanghai", **fields)
    return getattr(client, snake(action) + "_with_options")(request, runtime).body.to_map()


def tea_send(client, job):
    from alibabacloud_live20161101 import models
    from darabonba.runtime import RuntimeOptions

    # No retry_options in the Config: darabonba/core.py should_retry sends each call once.
    runtime = RuntimeOptions()
    params = job["params"]
    if job["action"] in WORKFLOW:
        return tea_workflow(client, models, runtime, job["action"], params)
    if job["action"] == "StartCasterScene":
        request = models.StartCasterSceneRequest(caster_id=params["CasterId"], scene_id=params["SceneId"], region_id="cn-shanghai")
        return client.start_caster_scene_with_options(request, runtime).body.to_map()
    request = models.AddCasterVideoResourceRequest(
        caster_id=params["CasterId"],
        resource_name=params["ResourceName"],
        location_id=params["LocationId"],
        live_stream_url=params.get("LiveStreamUrl"),
        vod_url=params.get("VodUrl"),
        image_url=params.get("ImageUrl"),
        region_id="cn-shanghai",
    )
    return client.add_caster_video_resource_with_options(request, runtime).body.to_map()


def tea_error(error):
    return {
        "ok": False,
        "code": getattr(error, "code", None),
        "status": getattr(error, "status_code", None) or getattr(error, "statusCode", None),
        "message": getattr(error, "message", None) or str(error),
        "type": type(error).__name__,
    }


def core_client(job):
    from aliyunsdkcore.client import AcsClient

    client = AcsClient(job["accessKeyId"], job["accessKeySecret"], "cn-shanghai", auto_retry=False, timeout=10)
    client.caster_endpoint = job["endpoint"]  # set on each request (request.set_endpoint)
    return client


def core_send(client, job):
    from aliyunsdklive.request.v20161101.AddCasterVideoResourceRequest import AddCasterVideoResourceRequest
    from aliyunsdklive.request.v20161101.StartCasterSceneRequest import StartCasterSceneRequest

    params = job["params"]
    if job["action"] not in ("StartCasterScene", "AddCasterVideoResource"):
        raise SystemExit("the core driver sends StartCasterScene and AddCasterVideoResource only")
    if job["action"] == "StartCasterScene":
        request = StartCasterSceneRequest()
        request.set_CasterId(params["CasterId"])
        request.set_SceneId(params["SceneId"])
    else:
        request = AddCasterVideoResourceRequest()
        request.set_CasterId(params["CasterId"])
        request.set_ResourceName(params["ResourceName"])
        request.set_LocationId(params["LocationId"])
        for name in ("LiveStreamUrl", "VodUrl", "ImageUrl"):
            if name in params:
                getattr(request, "set_" + name)(params[name])
    request.set_endpoint(client.caster_endpoint)
    request.set_protocol_type("http")
    request.set_accept_format("JSON")
    return json.loads(client.do_action_with_exception(request))


def core_error(error):
    get = lambda name: getattr(error, name)() if hasattr(error, name) else None
    return {
        "ok": False,
        "code": get("get_error_code"),
        "status": get("get_http_status"),
        "message": get("get_error_msg") or str(error),
        "type": type(error).__name__,
    }


def main():
    job = json.load(sys.stdin)
    sdk = job["sdk"]
    if sdk in ("tea-v3", "tea-v1"):
        client, send, describe = tea_client(job, sdk == "tea-v1"), tea_send, tea_error
    elif sdk == "core":
        client, send, describe = core_client(job), core_send, core_error
    else:
        raise SystemExit("unknown sdk: " + sdk)
    sent = 0
    resource_id = None
    for request in job["requests"]:
        for _ in range(max(1, int(request.get("count", 1)))):
            if sent >= MAX_REQUESTS:
                return
            sent += 1
            params = {k: (resource_id if v == "$ResourceId" else v) for k, v in request["params"].items()}
            try:
                outcome = {"ok": True, "body": send(client, {**request, "params": params})}
            except Exception as error:  # the SDK's own exception classes: what it surfaces
                outcome = describe(error)
            if outcome["ok"] and request["action"] == "AddCasterVideoResource":
                resource_id = outcome["body"].get("ResourceId")
            print(json.dumps({"action": request["action"], **outcome}), flush=True)
            if not outcome["ok"] and outcome["code"] == request.get("stopOn"):
                break


if __name__ == "__main__":
    main()
