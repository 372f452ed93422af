package io.s3lockproxy.s3;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/** Reads the object keys out of a DeleteObjects request body ({@code <Delete><Object><Key>…}). */
public final class DeleteObjectsBody {
    /** S3 accepts at most 1000 keys per DeleteObjects request. */
    public static final int MAX_KEYS = 1000;
    /** Upper bound of a well-formed body: 1000 keys of 1024 bytes plus markup, with room to spare. */
    public static final int MAX_BODY_BYTES = 2 * 1024 * 1024;

    private static final XMLInputFactory XML = secureFactory();

    private DeleteObjectsBody() {
    }

    /** Returns the keys named in {@code body}, in document order; throws S3 MalformedXML for anything else. */
    public static List<String> keys(byte[] body) {
        List<String> keys = new ArrayList<>();
        try {
            XMLStreamReader r = XML.createXMLStreamReader(new ByteArrayInputStream(body));
            int depth = 0;
            boolean inObject = false;
            boolean sawDelete = false;
            while (r.hasNext()) {
                int event = r.next();
                if (event == XMLStreamConstants.START_ELEMENT) {
                    depth++;
                    String name = r.getLocalName();
                    if (depth == 1) {
                        if (!name.equals("Delete")) {
                            throw malformed();
                        }
                        sawDelete = true;
                    } else if (depth == 2 && name.equals("Object")) {
                        inObject = true;
                    } else if (depth == 3 && inObject && name.equals("Key")) {
                        keys.add(r.getElementText());
                        depth--;
                        if (keys.size() > MAX_KEYS) {
                            throw malformed();
                        }
                    }
                } else if (event == XMLStreamConstants.END_ELEMENT) {
                    if (depth == 2) {
                        inObject = false;
                    }
                    depth--;
                }
            }
            if (!sawDelete) {
                throw malformed();
            }
            return keys;
        } catch (XMLStreamException e) {
            throw malformed();
        }
    }

    private static S3Exception malformed() {
        return new S3Exception(S3ErrorCode.MALFORMED_XML);
    }

    private static XMLInputFactory secureFactory() {
        XMLInputFactory f = XMLInputFactory.newFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_COALESCING, true);
        return f;
    }
}
