#!/usr/bin/env python3
"""Generate CloudTrail logs for bench/trail/run: files as S3 delivers them
(AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/…json.gz, one {"Records": [...]} per
file, gzip level 6), deterministic, until the uncompressed total reaches --size-mb.
About 2% of the records are monitored ECS calls; the rest is the usual noise of an
account (S3 data events, EC2/ECS/IAM reads, STS, KMS, CloudWatch).

    gen.py OUT_DIR [--size-mb 1024] [--records-per-file 4000]
Prints the uncompressed bytes written.
"""
import argparse
import gzip
import json
import os
import random

ACCOUNT = "111122223333"
REGIONS = ["eu-west-1", "us-east-1", "eu-central-1", "ap-southeast-2"]
ECS_CHANGES = ["UpdateService", "RegisterTaskDefinition", "CreateService", "DeregisterTaskDefinition",
               "DeleteService", "UpdateCluster", "PutAttributes", "CreateTaskSet"]
NOISE = [
    ("s3.amazonaws.com", "GetObject"), ("s3.amazonaws.com", "PutObject"), ("ec2.amazonaws.com", "DescribeInstances"),
    ("ecs.amazonaws.com", "DescribeServices"), ("ecs.amazonaws.com", "ListTasks"), ("ecs.amazonaws.com", "RunTask"),
    ("sts.amazonaws.com", "AssumeRole"), ("kms.amazonaws.com", "Decrypt"), ("monitoring.amazonaws.com", "PutMetricData"),
    ("iam.amazonaws.com", "GetRole"), ("logs.amazonaws.com", "CreateLogStream"),
]
AGENTS = [
    "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe prompt/off command/ecs.update-service",
    "APN/1.0 HashiCorp/1.0 Terraform/1.6.6 (+https://www.terraform.io) terraform-provider-aws/5.31.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.24.0 os/linux lang/go#1.21.5",
    "Boto3/1.34.11 md/Botocore#1.34.11 ua/2.0 os/linux#5.10 md/arch#x86_64 lang/python#3.12.1 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.11",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
]


def identity(rng):
    kind = rng.random()
    if kind < 0.35:
        name = f"user-{rng.randrange(200)}"
        return {"type": "IAMUser", "principalId": f"AIDA{rng.randrange(10**12):012d}EXAMPLE",
                "arn": f"arn:aws:iam::{ACCOUNT}:user/{name}", "accountId": ACCOUNT,
                "accessKeyId": "AKIAIOSFODNN7EXAMPLE", "userName": name}
    role = f"app-{rng.randrange(300)}" if kind < 0.9 else f"AWSReservedSSO_Developer_{rng.randrange(5)}abc"
    session = f"session-{rng.randrange(10000)}"
    return {"type": "AssumedRole", "principalId": f"AROA{rng.randrange(10**12):012d}:{session}",
            "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}", "accountId": ACCOUNT,
            "accessKeyId": "ASIAIOSFODNN7EXAMPLE",
            "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLE",
                                                 "arn": f"arn:aws:iam::{ACCOUNT}:role/{role}",
                                                 "accountId": ACCOUNT, "userName": role},
                               "attributes": {"creationDate": "2026-11-18T08:00:00Z", "mfaAuthenticated": "false"}}}


def record(rng, time, region, n):
    if rng.random() < 0.02:
        source, name = "ecs.amazonaws.com", rng.choice(ECS_CHANGES)
        request = {"cluster": f"cluster-{rng.randrange(20)}", "service": f"svc-{rng.randrange(100)}",
                   "taskDefinition": f"task-{rng.randrange(100)}:{rng.randrange(50)}", "desiredCount": rng.randrange(10)}
        response = {"service": {"serviceArn": f"arn:aws:ecs:{region}:{ACCOUNT}:service/{request['cluster']}/{request['service']}"}}
    else:
        source, name = rng.choice(NOISE)
        request = {"bucketName": f"bucket-{rng.randrange(50)}", "key": f"path/{rng.randrange(10**9)}.bin",
                   "Host": f"bucket.s3.{region}.amazonaws.com"}
        response = None
    r = {"eventVersion": "1.09", "userIdentity": identity(rng), "eventTime": time, "eventSource": source,
         "eventName": name, "awsRegion": region, "sourceIPAddress": f"203.0.113.{rng.randrange(256)}",
         "userAgent": rng.choice(AGENTS), "requestParameters": request, "responseElements": response,
         "requestID": f"{n:08x}-0000-4000-8000-{rng.randrange(16**12):012x}",
         "eventID": f"{n:08x}-1111-4000-8000-{rng.randrange(16**12):012x}", "readOnly": False,
         "eventType": "AwsApiCall", "managementEvent": True, "recipientAccountId": ACCOUNT,
         "eventCategory": "Management",
         "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                        "clientProvidedHostHeader": f"{source.split('.')[0]}.{region}.amazonaws.com"}}
    if rng.random() < 0.01:
        r["errorCode"] = "AccessDenied"
        r["errorMessage"] = "User is not authorized to perform this operation"
    return r


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--records-per-file", type=int, default=4000)
    args = parser.parse_args()
    rng = random.Random(14)
    total, n, file_index = 0, 0, 0
    while total < args.size_mb * 1024 * 1024:
        region = REGIONS[file_index % len(REGIONS)]
        day = 1 + (file_index // 40) % 28
        minute = file_index % (24 * 60)
        stamp = f"2026-11-{day:02d}T{minute // 60:02d}:{minute % 60:02d}"
        records = []
        for i in range(args.records_per_file):
            records.append(record(rng, f"{stamp}:{i % 60:02d}Z", region, n))
            n += 1
        data = json.dumps({"Records": records}, separators=(",", ":")).encode()
        folder = os.path.join(args.out, "AWSLogs", ACCOUNT, "CloudTrail", region, "2026", "11", f"{day:02d}")
        os.makedirs(folder, exist_ok=True)
        name = f"{ACCOUNT}_CloudTrail_{region}_202611{day:02d}T{minute // 60:02d}{minute % 60:02d}Z_{file_index:06d}.json.gz"
        with open(os.path.join(folder, name), "wb") as f:
            f.write(gzip.compress(data, compresslevel=6, mtime=0))
        total += len(data)
        file_index += 1
    print(total)


if __name__ == "__main__":
    main()
