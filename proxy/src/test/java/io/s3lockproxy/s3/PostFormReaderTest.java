package io.s3lockproxy.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PostFormReaderTest {
    private static final String B = "----form7MA4YWxkTrZu0gW";

    private static String part(String name, String value) {
        return "--" + B + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
    }

    private static final String FORM = "preamble to be ignored\r\n"
            + part("key", "user/${filename}")
            + part("X-Amz-Meta-Note", "a \"quoted\"\r\nvalue with --" + B.substring(0, 10))
            + "--" + B + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"photo.jpg\"\r\n"
            + "Content-Type: image/jpeg\r\n\r\n"
            + "FILEBYTES";

    /** Reads {@code form} cut at {@code cuts}, as the proxy does: no piece after the one that began the file. */
    private static String readInPieces(PostFormReader reader, String form, int... cuts) {
        byte[] bytes = form.getBytes(StandardCharsets.UTF_8);
        int from = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? cuts[i] : bytes.length;
            ByteBuf piece = Unpooled.wrappedBuffer(bytes, from, to - from);
            boolean done = reader.add(piece);
            assertThat(piece.readerIndex()).as("the caller's buffer is left as it was").isZero();
            if (done) {
                ByteBuf file = reader.takeFileBytes();
                String content = file.toString(StandardCharsets.UTF_8) + new String(bytes, to, bytes.length - to,
                        StandardCharsets.UTF_8);
                file.release();
                return content;
            }
            from = to;
        }
        throw new AssertionError("the file never began");
    }

    @Test
    void readsTheFieldsUpToTheFileWhateverThePiecesAre() {
        Random random = new Random(7);
        int length = FORM.getBytes(StandardCharsets.UTF_8).length;
        for (int round = 0; round < 500; round++) {
            int[] cuts = random.ints(random.nextInt(6), 1, length).sorted().distinct().toArray();
            PostFormReader reader = new PostFormReader(B);
            String file = readInPieces(reader, FORM, cuts);
            assertThat(reader.fields()).containsExactly(
                    java.util.Map.entry("key", "user/${filename}"),
                    java.util.Map.entry("x-amz-meta-note", "a \"quoted\"\r\nvalue with --" + B.substring(0, 10)));
            assertThat(reader.fileName()).isEqualTo("photo.jpg");
            assertThat(reader.fieldsLength()).isEqualTo(length - "FILEBYTES".length());
            assertThat(file).as("cuts %s", java.util.Arrays.toString(cuts)).isEqualTo("FILEBYTES");
        }
    }

    @Test
    void theBoundaryComesFromTheContentType() {
        assertThat(PostFormReader.boundaryOf("multipart/form-data; boundary=abc")).isEqualTo("abc");
        assertThat(PostFormReader.boundaryOf("Multipart/Form-Data;charset=utf-8; BOUNDARY=\"a b\"")).isEqualTo("a b");
        for (String bad : new String[] {null, "text/plain", "multipart/form-data", "multipart/form-data; boundary=",
                "multipart/form-data; boundary=" + "x".repeat(71), "multipart/mixed; boundary=abc"}) {
            assertThatThrownBy(() -> PostFormReader.boundaryOf(bad)).as(bad).isInstanceOf(S3Exception.class)
                    .extracting(e -> ((S3Exception) e).code()).isEqualTo(S3ErrorCode.MALFORMED_POST_REQUEST);
        }
    }

    @Test
    void aFormWithoutAFileHasTheWrongNumberOfFiles() {
        PostFormReader reader = new PostFormReader(B);
        String form = part("key", "k") + "--" + B + "--\r\n";
        assertThatThrownBy(() -> reader.add(Unpooled.copiedBuffer(form, StandardCharsets.UTF_8)))
                .extracting(e -> ((S3Exception) e).code())
                .isEqualTo(S3ErrorCode.INCORRECT_NUMBER_OF_FILES_IN_POST_REQUEST);
    }

    @Test
    void fieldsBeyondTheLimitAreRefused() {
        PostFormReader reader = new PostFormReader(B);
        String form = part("key", "k") + part("x-amz-meta-big", "v".repeat(PostFormReader.MAX_FIELDS_BYTES));
        assertThatThrownBy(() -> {
            for (int i = 0; i < form.length(); i += 1000) {
                reader.add(Unpooled.copiedBuffer(form.substring(i, Math.min(form.length(), i + 1000)),
                        StandardCharsets.UTF_8));
            }
        }).extracting(e -> ((S3Exception) e).code()).isEqualTo(S3ErrorCode.MAX_POST_PRE_DATA_LENGTH_EXCEEDED);
    }

    @Test
    void aFieldSentTwiceOrAPartWithoutANameIsRefused() {
        PostFormReader twice = new PostFormReader(B);
        assertThatThrownBy(() -> twice.add(Unpooled.copiedBuffer(part("key", "a") + part("KEY", "b") + "--" + B,
                StandardCharsets.UTF_8))).extracting(e -> ((S3Exception) e).code()).isEqualTo(S3ErrorCode.INVALID_ARGUMENT);
        PostFormReader nameless = new PostFormReader(B);
        String form = "--" + B + "\r\nContent-Disposition: form-data\r\n\r\nv\r\n";
        assertThatThrownBy(() -> nameless.add(Unpooled.copiedBuffer(form, StandardCharsets.UTF_8)))
                .extracting(e -> ((S3Exception) e).code()).isEqualTo(S3ErrorCode.MALFORMED_POST_REQUEST);
    }

    @Test
    void theCloseDelimiterIsTheOneOfThisBoundary() {
        assertThat(new String(new PostFormReader(B).closeDelimiter(), StandardCharsets.US_ASCII))
                .isEqualTo("\r\n--" + B + "--\r\n");
    }
}
