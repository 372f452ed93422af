"""First and second PutObject to buckets the proxy on PORT has not seen (created on the store directly).

    python3 first-writes.py PORT [BUCKETS]    (prints the medians, leaving out the first two buckets)
"""
import statistics
import sys
import time
import uuid

import boto3
from botocore.config import Config

port = sys.argv[1]
buckets = int(sys.argv[2]) if len(sys.argv) > 2 else 8
path_style = Config(s3={'addressing_style': 'path'})
proxy = boto3.client('s3', endpoint_url='http://127.0.0.1:' + port, aws_access_key_id='local-access-key',
                     aws_secret_access_key='local-secret-key', region_name='us-east-1', config=path_style)
store = boto3.client('s3', endpoint_url='http://127.0.0.1:8079', aws_access_key_id='local-store-key',
                     aws_secret_access_key='local-store-secret', region_name='us-east-1', config=path_style)


def timed_put(bucket, body):
    start = time.perf_counter()
    proxy.put_object(Bucket=bucket, Key='k', Body=body)
    return (time.perf_counter() - start) * 1000


firsts, seconds = [], []
for i in range(buckets):
    bucket = 'first-write-' + uuid.uuid4().hex[:10]
    store.create_bucket(Bucket=bucket)
    first, second = timed_put(bucket, b'x'), timed_put(bucket, b'y')
    if i >= 2:  # the first buckets also warm up the JVMs
        firsts.append(first)
        seconds.append(second)
print('first write median %.1f ms (%s), second write median %.1f ms' % (
    statistics.median(firsts), ' '.join('%.0f' % f for f in firsts), statistics.median(seconds)))
