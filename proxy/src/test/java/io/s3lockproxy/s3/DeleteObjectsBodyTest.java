package io.s3lockproxy.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DeleteObjectsBodyTest {

    private static byte[] xml(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsEveryKeyInDocumentOrderWithEscapesAndVersions() {
        byte[] body = xml("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                + "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>"
                + "<Object><Key>b/2 &amp; more</Key></Object>"
                + "<Object><Key>a/1</Key><VersionId>v1</VersionId></Object>"
                + "<Object><Key>ü/&#x1F600;</Key></Object></Delete>");

        assertThat(DeleteObjectsBody.keys(body)).containsExactly("b/2 & more", "a/1", "ü/\uD83D\uDE00");
    }

    @Test
    void rejectsWhatIsNotADeleteDocument() {
        assertThatThrownBy(() -> DeleteObjectsBody.keys(xml("<Other><Object><Key>k</Key></Object></Other>")))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.code()).isEqualTo(S3ErrorCode.MALFORMED_XML));
        assertThatThrownBy(() -> DeleteObjectsBody.keys(xml("<Delete><Object><Key>k</Key>")))
                .isInstanceOf(S3Exception.class);
        assertThatThrownBy(() -> DeleteObjectsBody.keys(xml("")))
                .isInstanceOf(S3Exception.class);
    }

    @Test
    void malformedUtf8IsMalformedXmlWithoutAWordOnStderr() {
        // Found by DeleteObjectsBodyPropertyTest: the JDK parser printed "[Fatal Error] ..." per bad byte.
        byte[] body = {'<', 'D', 'e', 'l', 'e', 't', 'e', '>', (byte) 0xc3, '<', '/', 'D', 'e', 'l', 'e', 't', 'e', '>'};
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertThatThrownBy(() -> DeleteObjectsBody.keys(body)).isInstanceOfSatisfying(S3Exception.class,
                    e -> assertThat(e.code()).isEqualTo(S3ErrorCode.MALFORMED_XML));
        } finally {
            System.setErr(stderr);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void otherEncodingsStillParse() {
        String doc = "<Delete><Object><Key>caf\u00e9 \u4e2d</Key></Object></Delete>";
        byte[] utf8Bom = ("\ufeff" + doc).getBytes(StandardCharsets.UTF_8);
        assertThat(DeleteObjectsBody.keys(utf8Bom)).containsExactly("caf\u00e9 \u4e2d");
        assertThat(DeleteObjectsBody.keys(doc.getBytes(StandardCharsets.UTF_16))).containsExactly("caf\u00e9 \u4e2d");
        byte[] latin1 = ("<?xml version=\"1.0\"\n encoding='ISO-8859-1'?><Delete><Object><Key>caf\u00e9</Key></Object>"
                + "</Delete>").getBytes(StandardCharsets.ISO_8859_1);
        assertThat(DeleteObjectsBody.keys(latin1)).containsExactly("caf\u00e9");
        byte[] declaredUtf8 = ("<?xml version=\"1.0\"\n encoding=\"utf-8\"?>" + doc).getBytes(StandardCharsets.UTF_8);
        assertThat(DeleteObjectsBody.keys(declaredUtf8)).containsExactly("caf\u00e9 \u4e2d");
    }

    @Test
    void refusesExternalEntities() {
        byte[] body = xml("<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                + "<Delete><Object><Key>&x;</Key></Object></Delete>");

        assertThatThrownBy(() -> DeleteObjectsBody.keys(body)).isInstanceOf(S3Exception.class);
    }

    @Test
    void refusesMoreKeysThanS3Allows() {
        StringBuilder b = new StringBuilder("<Delete>");
        for (int i = 0; i <= DeleteObjectsBody.MAX_KEYS; i++) {
            b.append("<Object><Key>k").append(i).append("</Key></Object>");
        }
        assertThatThrownBy(() -> DeleteObjectsBody.keys(xml(b.append("</Delete>").toString())))
                .isInstanceOf(S3Exception.class);
    }

    @Test
    void parsesQuietVersionsAndETagsAndRendersThemBackExactly() {
        byte[] body = xml("<Delete><Quiet>true</Quiet><Object><Key>a&#13;b\tc &amp; &lt;d&gt;</Key><VersionId>v1</VersionId>"
                + "<ETag>\"e1\"</ETag></Object><Object><Key>plain</Key></Object></Delete>");
        DeleteObjectsBody.Parsed parsed = DeleteObjectsBody.parse(body);
        assertThat(parsed.quiet()).isTrue();
        assertThat(parsed.conditional()).isTrue();
        assertThat(parsed.entries()).containsExactly(new DeleteObjectsBody.Entry("a\rb\tc & <d>", "v1", "\"e1\""),
                new DeleteObjectsBody.Entry("plain", null, null));

        DeleteObjectsBody.Parsed again = DeleteObjectsBody.parse(DeleteObjectsBody.render(true, parsed.entries(), true));
        assertThat(again).isEqualTo(parsed);
        assertThat(DeleteObjectsBody.parse(DeleteObjectsBody.render(false, parsed.entries(), false)).entries())
                .extracting(DeleteObjectsBody.Entry::etag).containsOnlyNulls();
    }

    @Test
    void anObjectWithoutAKeyIsMalformed() {
        assertThatThrownBy(() -> DeleteObjectsBody.parse(xml("<Delete><Object><ETag>e</ETag></Object></Delete>")))
                .isInstanceOf(S3Exception.class);
    }
}
