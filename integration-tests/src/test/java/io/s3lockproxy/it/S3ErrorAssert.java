package io.s3lockproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Checks S3 error responses: status, code, the XML shape and the request id header. */
public final class S3ErrorAssert {
    private S3ErrorAssert() {
    }

    public record ErrorBody(String code, String message, String requestId) {
    }

    /** Parses {@code <Error><Code/><Message/>...<RequestId/></Error>}; fails on any other shape. */
    public static ErrorBody parse(byte[] xml) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            Document doc = factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml));
            Element root = doc.getDocumentElement();
            assertThat(root.getTagName()).as("root element of the error body").isEqualTo("Error");
            return new ErrorBody(child(root, "Code"), child(root, "Message"), child(root, "RequestId"));
        } catch (AssertionError e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError("error body is not XML: " + new String(xml, java.nio.charset.StandardCharsets.UTF_8), e);
        }
    }

    private static String child(Element root, String name) {
        for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e.getTextContent();
            }
        }
        return null;
    }

    /** Status, code (one of {@code codes}), XML shape and x-amz-request-id of a raw response. */
    public static ErrorBody assertError(RawHttp.Response response, int status, String... codes) {
        assertThat(response.status()).as("status; body: %s", response.bodyText()).isEqualTo(status);
        ErrorBody body = parse(response.body());
        assertThat(body.code()).as("Code in %s", response.bodyText()).isIn((Object[]) codes);
        assertShape(body, response.bodyText());
        assertThat(response.header("x-amz-request-id")).as("x-amz-request-id header").isNotBlank();
        return body;
    }

    /** The same for an error the SDK raised; HEAD errors carry no body, only the status is checked. */
    public static void assertError(Throwable thrown, int status, String... codes) {
        assertThat(thrown).isInstanceOf(S3Exception.class);
        S3Exception e = (S3Exception) thrown;
        assertThat(e.statusCode()).as("status of %s", e.getMessage()).isEqualTo(status);
        assertThat(e.awsErrorDetails().errorCode()).as("error code").isIn((Object[]) codes);
        var raw = e.awsErrorDetails().rawResponse();
        if (raw != null && raw.asByteArray().length > 0) {
            ErrorBody body = parse(raw.asByteArray());
            assertThat(body.code()).isEqualTo(e.awsErrorDetails().errorCode());
            assertShape(body, raw.asUtf8String());
        }
        assertThat(e.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("x-amz-request-id"))
                .as("x-amz-request-id header").hasValueSatisfying(v -> assertThat(v).isNotBlank());
    }

    private static void assertShape(ErrorBody body, String text) {
        assertThat(body.message()).as("Message in %s", text).isNotNull();
        assertThat(body.requestId()).as("RequestId in %s", text).isNotBlank();
    }
}
