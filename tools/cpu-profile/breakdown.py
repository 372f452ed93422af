"""CPU per request by part, from an async-profiler collapsed-stack file: FILE REQUESTS INTERVAL_US.

Prints kernel system calls, JVM/GC and the proxy's own work in µs per request (samples ×
interval ÷ requests; the profiler's own overhead inflates every figure alike), then the proxy's
frames by inclusive time.
"""
import collections
import re
import sys

path, requests, interval_us = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
stacks = []
for line in open(path):
    frames, count = line.rsplit(' ', 1)
    stacks.append((frames.split(';'), int(count)))
total = sum(n for _, n in stacks)


def us(samples):
    return samples * interval_us / requests


def part(frames):
    for i, f in enumerate(frames):
        if f == 'do_syscall_64_[k]' and i + 1 < len(frames):
            call = frames[i + 1]
            if 'writev' in call or 'sys_write' in call:
                return 'socket writes (writev/write)'
            if 'epoll' in call:
                return 'epoll_wait / epoll_ctl'
            if 'recvfrom' in call or 'sys_read' in call:
                return 'socket reads'
            return 'other system calls and scheduling'
    if any(re.search('GC|VM_Operation|SafepointSynchronize|WeakProcessor|GenCollect|ClassLoaderDataGraph', f)
           for f in frames):
        return 'JVM: GC and safepoints'
    if any('Compile' in f for f in frames):
        return 'JVM: JIT compiler'
    if any(f.endswith('_[k]') for f in frames):
        return 'kernel, other (interrupts, page faults)'
    return 'user space: proxy, Netty, JDK'


# Buffers, utilities and the JDK work for whoever called them.
TRANSPARENT = ('io/netty/buffer', 'io/netty/util', 'java/', 'jdk/', 'sun/')


def owner(frames):
    for f in reversed(frames):
        if f.startswith(TRANSPARENT):
            continue
        if f.startswith('io/s3lockproxy'):
            return 'the proxy\'s own code (io.s3lockproxy)'
        if f.startswith('io/netty/handler/codec/http'):
            return 'Netty HTTP codec'
        if f.startswith('io/netty'):
            return 'Netty, other (pipeline, channels, event loop)'
        if f.startswith('com/github/benmanes') or f.startswith('ch/qos') or f.startswith('io/micrometer'):
            return 'libraries (Caffeine, logback, Micrometer)'
    return 'JDK and other'


parts = collections.Counter()
owners = collections.Counter()
inclusive = collections.Counter()
for frames, n in stacks:
    parts[part(frames)] += n
    if part(frames).startswith('user space'):
        owners[owner(frames)] += n
    for f in set(frames):
        if f.startswith('io/s3lockproxy') and '$$Lambda' not in f and '.lambda$' not in f:
            inclusive[f] += n
print(f'{us(total):7.1f} µs/request in all ({total} samples, {requests:.0f} requests)')
for name, n in parts.most_common():
    print(f'{us(n):7.1f} µs  {100 * n / total:5.1f} %  {name}')
print('user space by the innermost caller that is not a buffer, utility or JDK frame:')
for name, n in owners.most_common():
    print(f'{us(n):7.1f} µs  {100 * n / total:5.1f} %  {name}')
print('proxy frames, inclusive:')
for name, n in inclusive.most_common(25):
    print(f'{us(n):7.1f} µs  {100 * n / total:5.1f} %  {name}')
