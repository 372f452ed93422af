package io.s3lockproxy.s3;

import java.io.StringReader;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * A {@code <Tagging><TagSet><Tag><Key>…</Key><Value>…</Value></Tag>…</TagSet></Tagging>} document,
 * the form of a browser-form upload's {@code tagging} field, as the {@code x-amz-tagging} header of
 * a PutObject ({@code key=value&…}, URL-encoded).
 */
public final class TaggingXml {
    private static final XMLInputFactory XML = DeleteObjectsBody.secureFactory();

    private TaggingXml() {
    }

    /** Returns the header value; throws S3Exception 400 MalformedXML for anything but a Tagging document. */
    public static String toHeader(String xml) {
        StringBuilder header = new StringBuilder();
        try {
            XMLStreamReader r = XML.createXMLStreamReader(new StringReader(xml));
            r.nextTag();
            if (!r.getLocalName().equals("Tagging")) {
                throw new S3Exception(S3ErrorCode.MALFORMED_XML);
            }
            String key = null;
            String value = null;
            while (r.hasNext()) {
                int event = r.next();
                if (event == XMLStreamConstants.START_ELEMENT && r.getLocalName().equals("Key")) {
                    key = r.getElementText();
                } else if (event == XMLStreamConstants.START_ELEMENT && r.getLocalName().equals("Value")) {
                    value = r.getElementText();
                } else if (event == XMLStreamConstants.END_ELEMENT && r.getLocalName().equals("Tag")) {
                    if (key == null) {
                        throw new S3Exception(S3ErrorCode.MALFORMED_XML);
                    }
                    header.append(header.length() == 0 ? "" : "&").append(encode(key)).append('=')
                            .append(encode(value == null ? "" : value));
                    key = null;
                    value = null;
                }
            }
        } catch (XMLStreamException | IllegalStateException e) {
            throw new S3Exception(S3ErrorCode.MALFORMED_XML);
        }
        return header.toString();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
