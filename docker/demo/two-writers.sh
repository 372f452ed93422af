#!/bin/sh
# Two writers, one through each proxy instance, each add 1 to the number in one object
# INCREMENTS times: read it with its ETag, write value+1 with If-Match: ETag, and on
# 412 PreconditionFailed read again and retry. The proxies take the key's lock in the shared
# Redis and check If-Match under it, so exactly one of two racing writes wins and the counter
# ends at 2 x INCREMENTS: no lost update.
set -eu
N=${INCREMENTS:-25}
BUCKET=${BUCKET:-lock-demo}
KEY=counter.txt
TMP=$(mktemp -d)

aws --endpoint-url "$PROXY_A" s3api create-bucket --bucket "$BUCKET" >/dev/null 2>&1 || true
printf 0 > "$TMP/zero"
aws --endpoint-url "$PROXY_A" s3api put-object --bucket "$BUCKET" --key "$KEY" --body "$TMP/zero" >/dev/null

writer() {
    endpoint=$1
    name=$2
    done_count=0
    conflicts=0
    while [ "$done_count" -lt "$N" ]; do
        etag=$(aws --endpoint-url "$endpoint" s3api get-object --bucket "$BUCKET" --key "$KEY" \
            "$TMP/$name.cur" --query ETag --output text)
        value=$(cat "$TMP/$name.cur")
        printf '%s' "$((value + 1))" > "$TMP/$name.next"
        if aws --endpoint-url "$endpoint" s3api put-object --bucket "$BUCKET" --key "$KEY" \
            --body "$TMP/$name.next" --if-match "$etag" >/dev/null 2>"$TMP/$name.err"; then
            done_count=$((done_count + 1))
        elif grep -q PreconditionFailed "$TMP/$name.err"; then
            conflicts=$((conflicts + 1))
        else
            cat "$TMP/$name.err" >&2
            exit 1
        fi
    done
    echo "writer $name via $endpoint: $N increments, $conflicts retries after 412 PreconditionFailed"
}

writer "$PROXY_A" a &
pid_a=$!
writer "$PROXY_B" b &
pid_b=$!
wait "$pid_a"
wait "$pid_b"

aws --endpoint-url "$PROXY_A" s3api get-object --bucket "$BUCKET" --key "$KEY" "$TMP/final" >/dev/null
final=$(cat "$TMP/final")
expected=$((2 * N))
if [ "$final" -eq "$expected" ]; then
    echo "counter = $final = 2 x $N: no lost update"
else
    echo "counter = $final, expected $expected: LOST UPDATE" >&2
    exit 1
fi
