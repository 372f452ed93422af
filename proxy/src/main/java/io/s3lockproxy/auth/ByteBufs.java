package io.s3lockproxy.auth;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/** Feeds the bytes of a {@link ByteBuf} range to NIO consumers without copying them to the heap. */
final class ByteBufs {
    private ByteBufs() {
    }

    /** Passes {@code length} bytes of {@code buf} from {@code index} to {@code sink} as one or more NIO views. */
    static void forEachNioBuffer(ByteBuf buf, int index, int length, Consumer<ByteBuffer> sink) {
        if (length == 0) {
            return;
        }
        if (buf.nioBufferCount() > 0) {
            for (ByteBuffer view : buf.nioBuffers(index, length)) {
                sink.accept(view);
            }
        } else {
            byte[] copy = new byte[length];
            buf.getBytes(index, copy);
            sink.accept(ByteBuffer.wrap(copy));
        }
    }
}
