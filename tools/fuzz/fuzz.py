"""Mutated S3 requests against a running proxy over raw sockets (tools/fuzz/README.md).

    python3 fuzz.py [--port 8080] [--admin 8081] [--seed 1] [--count 2000]

Each request starts as a correctly SigV4-signed S3 request (PUT, GET, DELETE, listing, multipart
start, copy, DeleteObjects) and gets 1-3 mutations in nine requests out of ten: a character
changed, a header dropped, doubled, emptied or set to junk, junk in the request line or the query,
the body cut or extended, obs-fold, header names in another case. Findings: a 5xx other than
501 NotImplemented and 503 SlowDown; a connection closed without an answer; no answer within 3 s
to a request whose declared body was all sent; a lock still held (admin /locks) at the end.
Exit status 1 when there is a finding; each goes to findings-SEED.txt.
"""
import argparse
import base64
import hashlib
import json
import random
import re
import socket
import time
import urllib.request

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ap = argparse.ArgumentParser()
ap.add_argument('--port', type=int, default=8080)
ap.add_argument('--admin', type=int, default=8081)
ap.add_argument('--seed', type=int, default=1)
ap.add_argument('--count', type=int, default=2000)
ap.add_argument('--access-key', default='local-access-key')
ap.add_argument('--secret-key', default='local-secret-key')
args = ap.parse_args()
rnd = random.Random(args.seed)
creds = Credentials(args.access_key, args.secret_key)
BUCKET = 'fuzz-bucket'


def signed(method, path, body=b'', headers=None, query=''):
    url = f'http://127.0.0.1:{args.port}{path}' + (('?' + query) if query else '')
    h = dict(headers or {})
    h['x-amz-content-sha256'] = hashlib.sha256(body).hexdigest()
    req = AWSRequest(method=method, url=url, data=body, headers=h)
    SigV4Auth(creds, 's3', 'us-east-1').add_auth(req)
    target = path + (('?' + query) if query else '')
    lines = [f'{method} {target} HTTP/1.1', f'Host: 127.0.0.1:{args.port}']
    lines += [f'{k}: {v}' for k, v in req.prepare().headers.items()]
    if body and not any(l.lower().startswith('content-length:') for l in lines):
        lines.append(f'Content-Length: {len(body)}')
    return lines, body


def send(raw, timeout=3.0):
    """Returns (how, bytes): how is ANSWERED, CLOSED (no answer) or SILENT (nothing within timeout)."""
    s = socket.create_connection(('127.0.0.1', args.port), timeout=timeout)
    try:
        try:
            s.sendall(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass
        data = b''
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                return ('ANSWERED' if data else 'SILENT'), data
            except ConnectionResetError:
                break
            if not chunk:
                break
            data += chunk
            if answer_complete(data, raw):
                return 'ANSWERED', data
            s.settimeout(0.3)  # the answer has begun: the rest comes at once, or the connection stays open
        return ('ANSWERED' if data else 'CLOSED'), data
    finally:
        s.close()


def answer_complete(data, raw):
    """Whether data holds a whole final answer framed by Content-Length (or one without a body)."""
    head_end = data.find(b'\r\n\r\n')
    if head_end < 0 or data.startswith(b'HTTP/1.1 100'):
        return False
    head = data[:head_end].decode('latin-1').lower()
    if raw.startswith(b'HEAD ') or head[9:12] in ('204', '304'):
        return True
    length = re.search(r'\r\ncontent-length:\s*(\d+)', head)
    return length is not None and len(data) - head_end - 4 >= int(length.group(1))


def base_request():
    key = rnd.choice(['k1', 'dir/k2', 'a%20b', '%C3%BC', 'k%2Fx'])
    path = f'/{BUCKET}/{key}'
    kind = rnd.choice(['put', 'get', 'delete', 'list', 'multipart', 'copy', 'delete-objects'])
    if kind == 'put':
        return signed('PUT', path, b'hello' * rnd.randint(0, 50))
    if kind == 'get':
        return signed('GET', path)
    if kind == 'delete':
        return signed('DELETE', path)
    if kind == 'list':
        return signed('GET', f'/{BUCKET}', query='list-type=2&prefix=d')
    if kind == 'multipart':
        return signed('POST', path, query='uploads=')
    if kind == 'copy':
        return signed('PUT', path, headers={'x-amz-copy-source': f'/{BUCKET}/k1'})
    body = b'<Delete><Object><Key>k1</Key></Object></Delete>'
    md5 = base64.b64encode(hashlib.md5(body).digest()).decode()
    return signed('POST', f'/{BUCKET}', body, headers={'Content-MD5': md5}, query='delete=')


JUNK = ['', ' ', '\x00', '\xff', '%', '%zz', '..', '/../', '\t', 'a' * 9000, '-1', '99999999999999999999', '*', '"',
        ',', ';', '\r', 'chunked', 'aws-chunked', 'gzip, chunked', '100-continue', 'UNSIGNED-PAYLOAD',
        'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'x-amz-checksum-crc32', '0',
        'bytes=0-', 'bytes=5-1', 'Ã©']
HEADERS = ['Content-Length', 'Transfer-Encoding', 'Expect', 'x-amz-content-sha256', 'x-amz-date', 'Authorization',
           'Host', 'Range', 'If-Match', 'If-None-Match', 'x-amz-decoded-content-length', 'Content-Encoding',
           'x-amz-trailer', 'x-amz-copy-source', 'Connection', 'x-amz-security-token', 'Content-MD5',
           'x-amz-checksum-sha256', 'x-amz-sdk-checksum-algorithm']
REQUEST_LINE_JUNK = JUNK + ['GET', 'HEAD', 'PATCH', 'OPTIONS', 'HTTP/1.0', 'HTTP/2', 'http://x/y', f'/{BUCKET}/%00',
                            f'/{BUCKET}?acl']
QUERY_JUNK = ['?', '&', '?x-id=PutObject', '?uploadId=1&partNumber=1', '?versionId=null', '?X-Amz-Expires=1',
              '?tagging', '?acl', '?retention', '?a=%ZZ', '&&&']


def mutate(lines, body):
    lines = list(lines)
    for _ in range(rnd.randint(1, 3)):
        i = rnd.randrange(len(lines))
        m = rnd.randrange(10)
        if m == 0:
            line = lines[i]
            j = rnd.randrange(len(line))
            lines[i] = line[:j] + chr(rnd.randint(32, 126)) + line[j + 1:]
        elif m == 1 and i:
            lines.append(lines[i])
        elif m == 2 and i:
            lines.pop(i)
        elif m == 3:
            lines.append(f'{rnd.choice(HEADERS)}: {rnd.choice(JUNK)}')
        elif m == 4 and i:
            lines[i] = f'{lines[i].split(":", 1)[0]}: {rnd.choice(JUNK)}'
        elif m == 5:
            parts = lines[0].split(' ')
            parts[rnd.randrange(len(parts))] = rnd.choice(REQUEST_LINE_JUNK)
            lines[0] = ' '.join(parts)
        elif m == 6:
            body = body[:rnd.randint(0, len(body))] if rnd.random() < 0.5 else body + b'X' * rnd.randint(1, 100)
        elif m == 7 and i:
            lines[i] = lines[i].replace(': ', ':\r\n ', 1) if rnd.random() < 0.3 else lines[i] + ' '
        elif m == 8:
            parts = lines[0].split(' ')
            if len(parts) > 1:
                parts[1] += rnd.choice(QUERY_JUNK)
            lines[0] = ' '.join(parts)
        elif i:
            name, _, value = lines[i].partition(':')
            lines[i] = name.swapcase() + ':' + value
    return lines, body


def body_all_sent(lines, body):
    """Whether the request, as framed by its headers, was sent whole (a cut body keeps the server waiting)."""
    head = '\r\n'.join(lines).lower()
    if 'transfer-encoding' in head or 'expect' in head:
        return False
    lengths = re.findall(r'(?m)^content-length:\s*(\S*)\s*$', head)
    return all(l.isdigit() and int(l) <= len(body) for l in lengths)


create_lines, _ = signed('PUT', f'/{BUCKET}')
send(('\r\n'.join(create_lines) + '\r\n\r\n').encode())
statuses = {}
findings = []
for n in range(args.count):
    lines, body = base_request()
    if rnd.random() < 0.9:
        lines, body = mutate(lines, body)
    raw = ('\r\n'.join(lines) + '\r\n\r\n').encode('latin-1', 'replace') + body
    start = time.monotonic()
    how, data = send(raw)
    status = data[9:12].decode('latin-1') if data.startswith(b'HTTP/1.') else how
    statuses[status] = statuses.get(status, 0) + 1
    bad_status = status.isdigit() and status.startswith('5') and status not in ('501', '503')
    if bad_status or how == 'CLOSED' or (how == 'SILENT' and body_all_sent(lines, body)) or data and not data.startswith(b'HTTP/1.'):
        findings.append({'n': n, 'status': status, 'seconds': round(time.monotonic() - start, 2),
                         'request': raw[:800].decode('latin-1'), 'answer': data[:600].decode('latin-1')})
locks = json.load(urllib.request.urlopen(f'http://127.0.0.1:{args.admin}/locks'))['locks']
if locks:
    findings.append({'locks still held': locks})
print(f'seed {args.seed}: {args.count} requests, answers {json.dumps(dict(sorted(statuses.items())))}, '
      f'locks held at the end {len(locks)}, findings {len(findings)}')
with open(f'findings-{args.seed}.txt', 'w') as f:
    for finding in findings:
        f.write(json.dumps(finding) + '\n')
raise SystemExit(1 if findings else 0)
