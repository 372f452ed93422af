package io.s3lockproxy.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

class ErrorXmlTest {

    private static Element parse(String xml) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8))).getDocumentElement();
    }

    private static List<String> childNames(Element e) {
        List<String> out = new ArrayList<>();
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c) {
                out.add(c.getTagName());
            }
        }
        return out;
    }

    private static String child(Element e, String name) {
        return e.getElementsByTagName(name).item(0).getTextContent();
    }

    @Test
    void rendersCodeMessageResourceAndRequestIdInS3Order() throws Exception {
        String xml = ErrorXml.render(new S3Exception(S3ErrorCode.INVALID_URI), "/bucket/key", "ABC123");
        assertThat(xml).isEqualTo("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InvalidURI</Code>"
                + "<Message>Couldn&apos;t parse the specified URI.</Message><Resource>/bucket/key</Resource>"
                + "<RequestId>ABC123</RequestId></Error>");
        Element root = parse(xml);
        assertThat(root.getTagName()).isEqualTo("Error");
        assertThat(childNames(root)).containsExactly("Code", "Message", "Resource", "RequestId");
    }

    @Test
    void extraElementsFollowTheMessageInInsertionOrder() throws Exception {
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("AWSAccessKeyId", "AKID");
        extra.put("StringToSign", "AWS4-HMAC-SHA256\n20250601T120000Z");
        extra.put("CanonicalRequest", "GET\n/b/k\n");
        Element root = parse(ErrorXml.render(
                new S3Exception(S3ErrorCode.SIGNATURE_DOES_NOT_MATCH, "bad", extra), "/b/k", "R"));
        assertThat(childNames(root)).containsExactly("Code", "Message", "AWSAccessKeyId", "StringToSign",
                "CanonicalRequest", "Resource", "RequestId");
        assertThat(child(root, "StringToSign")).isEqualTo("AWS4-HMAC-SHA256\n20250601T120000Z");
        assertThat(child(root, "Code")).isEqualTo("SignatureDoesNotMatch");
    }

    @Test
    void escapesTheFiveSpecialCharactersEverywhere() throws Exception {
        String nasty = "a<b>&c\"d'e</Message><Injected/>";
        String xml = ErrorXml.render(new S3Exception(S3ErrorCode.INVALID_ARGUMENT, nasty, Map.of("ArgumentValue", nasty)),
                "/b/" + nasty, nasty);
        assertThat(xml).doesNotContain("<Injected/>");
        Element root = parse(xml);
        assertThat(childNames(root)).containsExactly("Code", "Message", "ArgumentValue", "Resource", "RequestId");
        assertThat(child(root, "Message")).isEqualTo(nasty);
        assertThat(child(root, "ArgumentValue")).isEqualTo(nasty);
        assertThat(child(root, "Resource")).isEqualTo("/b/" + nasty);
        assertThat(child(root, "RequestId")).isEqualTo(nasty);
    }

    @Test
    void escapeLeavesPlainAndUnicodeTextAlone() {
        String plain = "café €/key with spaces";
        assertThat(ErrorXml.escape(plain)).isSameAs(plain);
        assertThat(ErrorXml.escape(null)).isEmpty();
        assertThat(ErrorXml.escape("&&")).isEqualTo("&amp;&amp;");
        assertThat(ErrorXml.escape("x<")).isEqualTo("x&lt;");
    }

    @Test
    void keyWithControlCharactersStillRendersWellFormedXml() throws Exception {
        String key = "/b/line1\nline2\ttab\u0001\u001fend";
        Element root = parse(ErrorXml.render(new S3Exception(S3ErrorCode.ACCESS_DENIED), key, "R"));
        assertThat(child(root, "Resource")).isEqualTo("/b/line1\nline2\ttab\uFFFD\uFFFDend");
    }

    @Test
    void everyErrorCodeHasAnExplicitWireCodeAndAnHttpErrorStatus() {
        for (S3ErrorCode c : S3ErrorCode.values()) {
            assertThat(c.code()).as(c.name()).matches("[A-Z][A-Za-z0-9]+").doesNotContain("_");
            assertThat(c.status()).as(c.name()).isBetween(400, 599);
            assertThat(c.defaultMessage()).as(c.name()).isNotBlank();
        }
    }
}
