"""Presigned GET and PUT URLs for tools/syscalls/run and tools/cpu-ab/run: WORKDIR SIZE [PORT ...].

Without ports: one proxy on 8080, files get.url and put.lua. With ports: get-PORT.url and
put-PORT.lua for each.
"""
import sys
import boto3
from botocore.config import Config

work, size = sys.argv[1], int(sys.argv[2])
ports = sys.argv[3:]


def client(endpoint, key, secret):
    return boto3.client('s3', endpoint_url=endpoint, aws_access_key_id=key, aws_secret_access_key=secret,
                        region_name='us-east-1',
                        config=Config(signature_version='s3v4', s3={'addressing_style': 'path'}))


store = client('http://127.0.0.1:8079', 'local-store-key', 'local-store-secret')
store.create_bucket(Bucket='wrk')
store.put_object(Bucket='wrk', Key='obj', Body=b'x' * size)
for port in ports or ['8080']:
    suffix = f'-{port}' if ports else ''
    origin = f'http://127.0.0.1:{port}'
    proxy = client(origin, 'local-access-key', 'local-secret-key')
    with open(f'{work}/get{suffix}.url', 'w') as f:
        f.write(proxy.generate_presigned_url('get_object', Params={'Bucket': 'wrk', 'Key': 'obj'}, ExpiresIn=86400))
    paths = [proxy.generate_presigned_url('put_object', Params={'Bucket': 'wrk', 'Key': f'put{port}-{i}'},
                                          ExpiresIn=86400)[len(origin):]
             for i in range(16)]
    with open(f'{work}/put{suffix}.lua', 'w') as f:
        f.write('paths = {\n' + ''.join(f'  "{p}",\n' for p in paths) + '}\n')
        f.write(f'body = string.rep("x", {size})\n')
        f.write('local counter = 0\n'
                'function setup(thread)\n  thread:set("id", counter)\n  counter = counter + 1\nend\n'
                'function init(args)\n  path = paths[(id % #paths) + 1]\nend\n'
                'request = function()\n  return wrk.format("PUT", path, nil, body)\nend\n')
