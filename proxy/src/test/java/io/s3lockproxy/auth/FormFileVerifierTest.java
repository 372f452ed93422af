package io.s3lockproxy.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FormFileVerifierTest {
    private static final byte[] CLOSE = "\r\n--b--\r\n".getBytes(StandardCharsets.US_ASCII);

    /** Feeds {@code rest} in pieces of {@code size} bytes; returns the content yielded. */
    private static String feed(FormFileVerifier verifier, String rest, int size) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < rest.length(); i += size) {
            ByteBuf raw = Unpooled.copiedBuffer(rest.substring(i, Math.min(rest.length(), i + size)),
                    StandardCharsets.US_ASCII);
            ByteBuf content = verifier.feed(raw);
            byte[] bytes = new byte[content.readableBytes()];
            content.readBytes(bytes);
            content.release();
            out.writeBytes(bytes);
            raw.release();
        }
        return out.toString(StandardCharsets.US_ASCII);
    }

    @Test
    void yieldsTheContentAndAcceptsTheCloseDelimiterAfterIt() {
        for (int size = 1; size <= 20; size++) {
            FormFileVerifier verifier = new FormFileVerifier(10, CLOSE);
            assertThat(feed(verifier, "0123456789\r\n--b--\r\n", size)).isEqualTo("0123456789");
            verifier.finish();
            assertThat(verifier.decodedLength()).isEqualTo(10);
        }
    }

    @Test
    void contentThatNearlyHasTheDelimiterIsContent() {
        FormFileVerifier verifier = new FormFileVerifier(13, CLOSE);
        assertThat(feed(verifier, "\r\n--c\r\r\n--\r\n-\r\n--b--\r\n", 4)).isEqualTo("\r\n--c\r\r\n--\r\n-");
        verifier.finish();
    }

    @Test
    void contentWithTheDelimiterHasAnotherPartAfterTheFile() {
        // The body's length is right for a file that ends with a field: that field's delimiter is in the "content".
        for (int size = 1; size <= 8; size++) {
            FormFileVerifier verifier = new FormFileVerifier(9, CLOSE);
            int pieces = size;
            assertThatThrownBy(() -> feed(verifier, "abc\r\n--bxy\r\n--b--\r\n", pieces)).isInstanceOf(S3Exception.class)
                    .extracting(e -> ((S3Exception) e).code()).isEqualTo(S3ErrorCode.MALFORMED_POST_REQUEST);
        }
    }

    @Test
    void aFieldAfterTheFileOrAnyOtherEndingIsRefused() {
        for (String rest : new String[] {"0123456789\r\n--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nv\r\n--b--\r\n",
                "0123456789\r\n--b--\r\nX", "0123456789\r\n--c--\r\n"}) {
            FormFileVerifier verifier = new FormFileVerifier(10, CLOSE);
            assertThatThrownBy(() -> feed(verifier, rest, 3)).as(rest).isInstanceOf(S3Exception.class)
                    .extracting(e -> ((S3Exception) e).code()).isEqualTo(S3ErrorCode.MALFORMED_POST_REQUEST);
        }
    }

    @Test
    void aBodyEndingBeforeItsCloseDelimiterFailsAtTheEnd() {
        FormFileVerifier verifier = new FormFileVerifier(10, CLOSE);
        feed(verifier, "0123456789\r\n--b-", 5);
        assertThatThrownBy(verifier::finish).extracting(e -> ((S3Exception) e).code())
                .isEqualTo(S3ErrorCode.MALFORMED_POST_REQUEST);
    }
}
