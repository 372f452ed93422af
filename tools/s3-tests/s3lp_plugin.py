"""pytest plugin loaded by tools/s3-tests/run (-p s3lp_plugin): adapts s3-tests' fixtures to a
backend without versioning or object lock, without editing the s3-tests checkout.

s3-tests empties every test bucket in its setup and teardown (nuke_bucket) with ListObjectVersions
and DeleteObjects + x-amz-bypass-governance-retention. S3Proxy's filesystem store answers the first
with 501 NotImplemented ("Versioning is not supported.") and the second with 501 NotImplemented
(an x-amz- header it does not know), so every test would end in a fixture error and leave its
buckets behind. Here the listing falls back to ListObjectsV2 when the store says NotImplemented,
the bulk delete retries without the bypass header, and unfinished multipart uploads are aborted
before the bucket is deleted. Only the fixtures change, never a test;
direct and proxy runs load the plugin alike.
"""
import importlib

from botocore.exceptions import ClientError


def _patch(module_name):
    try:
        functional = importlib.import_module(module_name)
    except ImportError:
        return False
    original = functional.list_versions

    def list_versions(client, bucket, batch_size):
        try:
            yield from original(client, bucket, batch_size)
            return
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") != "NotImplemented":
                raise
        kwargs = {"Bucket": bucket, "MaxKeys": batch_size}
        while True:
            listing = client.list_objects_v2(**kwargs)
            keys = [{"Key": o["Key"]} for o in listing.get("Contents", [])]
            if keys:
                yield keys
            if not listing.get("IsTruncated"):
                return
            kwargs["ContinuationToken"] = listing["NextContinuationToken"]

    functional.list_versions = list_versions

    def nuke_bucket(client, bucket):
        for objects in list_versions(client, bucket, 128):
            try:
                client.delete_objects(Bucket=bucket, Delete={"Objects": objects, "Quiet": True},
                                      BypassGovernanceRetention=True)
            except ClientError as e:
                if e.response.get("Error", {}).get("Code") != "NotImplemented":
                    raise
                client.delete_objects(Bucket=bucket, Delete={"Objects": objects, "Quiet": True})
        # S3Proxy's filesystem store refuses to delete a bucket holding an unfinished multipart
        # upload (BucketNotEmpty), which would fail the setup of every later test.
        uploads = client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
        for upload in uploads:
            client.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])
        client.delete_bucket(Bucket=bucket)

    functional.nuke_bucket = nuke_bucket
    return True


def pytest_configure(config):
    for name in ("s3tests.functional", "s3tests_boto3.functional"):
        if _patch(name):
            break
