package io.s3lockproxy.s3;

import static io.s3lockproxy.PropertyCampaign.MANY;
import static io.s3lockproxy.PropertyCampaign.SOME;
import static io.s3lockproxy.PropertyCampaign.bytes;
import static io.s3lockproxy.PropertyCampaign.from;
import static io.s3lockproxy.PropertyCampaign.onlyS3Errors;
import static io.s3lockproxy.PropertyCampaign.qt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Properties of {@link DeleteObjectsBody}: any list of keys written as a DeleteObjects document
 * (XML special characters, character references, CDATA, namespaces, version ids, whitespace)
 * reads back as the same list, and anything else is MalformedXML and never another exception.
 */
class DeleteObjectsBodyPropertyTest {
    /** Characters XML 1.0 can carry, with the ones that need escaping over-represented. */
    private static Gen<String> keys() {
        Gen<Integer> codePoint = Generate.frequency(List.of(
                org.quicktheories.api.Pair.of(6, integers().between(0x20, 0x7e)),
                org.quicktheories.api.Pair.of(3, Generate.pick(List.of((int) '<', (int) '>', (int) '&', (int) '"',
                        (int) '\'', (int) ']', (int) '\t', (int) '\n', (int) '\r', (int) ' '))),
                org.quicktheories.api.Pair.of(1, integers().between(0xa0, 0xd7ff)),
                org.quicktheories.api.Pair.of(1, integers().between(0x10000, 0x10ffff))));
        return lists().of(codePoint).ofSizeBetween(0, 30).map(cps -> {
            StringBuilder b = new StringBuilder();
            cps.forEach(b::appendCodePoint);
            return b.toString();
        });
    }

    /** Writes {@code key} as element content, choosing per character among the ways XML allows. */
    private static String escape(String key, Random random) {
        StringBuilder out = new StringBuilder();
        key.codePoints().forEach(cp -> {
            switch (cp) {
                case '<' -> out.append(random.nextBoolean() ? "&lt;" : "&#60;");
                case '&' -> out.append(random.nextBoolean() ? "&amp;" : "&#x26;");
                case '>' -> out.append(random.nextBoolean() ? "&gt;" : ">");
                case '\r' -> out.append("&#13;");
                case '"' -> out.append(random.nextBoolean() ? "&quot;" : "\"");
                case ']' -> out.append("&#93;");
                default -> {
                    if (random.nextInt(10) == 0) {
                        out.append("&#x").append(Integer.toHexString(cp)).append(';');
                    } else {
                        out.appendCodePoint(cp);
                    }
                }
            }
        });
        // CDATA carries any text but "]]>" and a carriage return (which a parser turns into "\n").
        if (!key.contains("]") && !key.contains("\r") && random.nextInt(8) == 0) {
            return "<![CDATA[" + key + "]]>";
        }
        return out.toString();
    }

    private static String document(List<String> keys, long seed) {
        Random random = new Random(seed);
        StringBuilder xml = new StringBuilder();
        if (random.nextBoolean()) {
            xml.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        }
        xml.append(random.nextBoolean() ? "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" : "<Delete>");
        if (random.nextBoolean()) {
            xml.append("<Quiet>").append(random.nextBoolean()).append("</Quiet>");
        }
        for (String key : keys) {
            xml.append(random.nextBoolean() ? "\n  " : "").append("<Object>");
            if (random.nextInt(4) == 0) {
                xml.append("<VersionId>v").append(random.nextInt(1000)).append("</VersionId>");
            }
            xml.append("<Key>").append(escape(key, random)).append("</Key>");
            if (random.nextInt(4) == 0) {
                xml.append("<ETag>\"e\"</ETag>");
            }
            xml.append("</Object>");
        }
        return xml.append("</Delete>").toString();
    }

    @Test
    void anyKeyListRoundTrips() {
        qt(MANY).forAll(lists().of(keys()).ofSizeBetween(0, 20), integers().all()).checkAssert((keys, seed) -> {
            String xml = document(keys, seed);
            assertThat(DeleteObjectsBody.keys(xml.getBytes(StandardCharsets.UTF_8))).as(xml).isEqualTo(keys);
        });
    }

    @Test
    void randomBytesAreMalformedXmlOrAList() {
        Gen<byte[]> junk = Generate.oneOf(bytes(0, 400),
                from("<>/&;#x!?[]-=\"' DeleteObjectKey:xmlns0a\n", 0, 120).map(s -> s.getBytes(StandardCharsets.UTF_8)));
        qt(MANY).forAll(junk).checkAssert(body ->
                onlyS3Errors(() -> DeleteObjectsBody.keys(body), S3ErrorCode.MALFORMED_XML));
    }

    @Test
    void aDamagedDocumentIsMalformedXmlOrStillAList() {
        qt(SOME).forAll(lists().of(keys()).ofSizeBetween(1, 10), integers().all(), integers().between(0, 3),
                booleans().all()).checkAssert((keys, seed, kind, utf16) -> {
                    byte[] doc = document(keys, seed).getBytes(utf16 ? StandardCharsets.UTF_16 : StandardCharsets.UTF_8);
                    Random random = new Random(seed);
                    int at = random.nextInt(doc.length);
                    byte[] damaged = switch (kind) {
                        case 0 -> Arrays.copyOf(doc, at);
                        case 1 -> {
                            byte[] copy = doc.clone();
                            copy[at] = (byte) random.nextInt(256);
                            yield copy;
                        }
                        case 2 -> {
                            byte[] copy = Arrays.copyOf(doc, doc.length + 1);
                            System.arraycopy(doc, at, copy, at + 1, doc.length - at);
                            copy[at] = (byte) "<&]>\u0000".charAt(random.nextInt(5));
                            yield copy;
                        }
                        default -> Arrays.copyOfRange(doc, at, doc.length);
                    };
                    onlyS3Errors(() -> DeleteObjectsBody.keys(damaged), S3ErrorCode.MALFORMED_XML);
                });
    }

    @Test
    void moreThanAThousandKeysIsMalformedXml() {
        List<String> keys = java.util.Collections.nCopies(DeleteObjectsBody.MAX_KEYS + 1, "k");
        byte[] body = document(keys, 1).getBytes(StandardCharsets.UTF_8);
        assertThat(onlyS3Errors(() -> DeleteObjectsBody.keys(body))).isNotNull()
                .satisfies(e -> assertThat(e.code()).isEqualTo(S3ErrorCode.MALFORMED_XML));
    }
}
