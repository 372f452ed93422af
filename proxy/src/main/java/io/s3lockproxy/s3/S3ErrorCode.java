package io.s3lockproxy.s3;

/**
 * The S3 errors the proxy raises itself: HTTP status, wire code (written out, never derived
 * from the constant name) and the default message S3 uses.
 */
public enum S3ErrorCode {
    ACCESS_DENIED(403, "AccessDenied", "Access Denied"),
    AUTHORIZATION_HEADER_MALFORMED(400, "AuthorizationHeaderMalformed",
            "The authorization header you provided is invalid."),
    AUTHORIZATION_QUERY_PARAMETERS_ERROR(400, "AuthorizationQueryParametersError",
            "Query-string authentication requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date,"
                    + " X-Amz-Expires, X-Amz-SignedHeaders and X-Amz-Signature parameters."),
    BAD_DIGEST(400, "BadDigest", "The Content-MD5 or checksum you specified did not match what we received."),
    ENTITY_TOO_LARGE(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size"),
    ENTITY_TOO_SMALL(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size."),
    INCOMPLETE_BODY(400, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header."),
    INCORRECT_NUMBER_OF_FILES_IN_POST_REQUEST(400, "IncorrectNumberOfFilesInPostRequest",
            "POST requires exactly one file upload per request."),
    INTERNAL_ERROR(500, "InternalError", "We encountered an internal error. Please try again."),
    INVALID_ACCESS_KEY_ID(403, "InvalidAccessKeyId",
            "The AWS Access Key Id you provided does not exist in our records."),
    INVALID_ARGUMENT(400, "InvalidArgument", "Invalid Argument"),
    INVALID_CHUNK_SIZE_ERROR(403, "InvalidChunkSizeError",
            "Only the last chunk is allowed to have a size less than 8192 bytes"),
    INVALID_POLICY_DOCUMENT(400, "InvalidPolicyDocument",
            "The content of the form does not meet the conditions specified in the policy document."),
    INVALID_REQUEST(400, "InvalidRequest", "Invalid Request"),
    INVALID_TOKEN(400, "InvalidToken", "The provided token is malformed or otherwise invalid."),
    INVALID_URI(400, "InvalidURI", "Couldn't parse the specified URI."),
    KEY_TOO_LONG(400, "KeyTooLongError", "Your key is too long"),
    MALFORMED_XML(400, "MalformedXML",
            "The XML you provided was not well-formed or did not validate against our published schema."),
    MALFORMED_POST_REQUEST(400, "MalformedPOSTRequest",
            "The body of your POST request is not well-formed multipart/form-data."),
    MAX_POST_PRE_DATA_LENGTH_EXCEEDED(400, "MaxPostPreDataLengthExceeded",
            "Your POST request fields preceding the upload file were too large."),
    METHOD_NOT_ALLOWED(405, "MethodNotAllowed", "The specified method is not allowed against this resource."),
    MISSING_CONTENT_LENGTH(411, "MissingContentLength", "You must provide the Content-Length HTTP header."),
    MALFORMED_TRAILER_ERROR(400, "MalformedTrailerError",
            "The request contained trailing data that was not well-formed or did not conform to our published schema."),
    NOT_IMPLEMENTED(501, "NotImplemented", "A header you provided implies functionality that is not implemented."),
    NO_SUCH_KEY(404, "NoSuchKey", "The specified key does not exist."),
    PRECONDITION_FAILED(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold"),
    REQUEST_TIMEOUT(400, "RequestTimeout", "Your socket connection to the server was not read from or written to"
            + " within the timeout period. Idle connections will be closed."),
    REQUEST_TIME_TOO_SKEWED(403, "RequestTimeTooSkewed",
            "The difference between the request time and the server's time is too large."),
    SERVICE_UNAVAILABLE(503, "ServiceUnavailable", "Service is unable to handle request."),
    SIGNATURE_DOES_NOT_MATCH(403, "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided."
                    + " Check your key and signing method."),
    SLOW_DOWN(503, "SlowDown", "Please reduce your request rate."),
    UPSTREAM_BAD_GATEWAY(502, "BadGateway", "The upstream S3 service could not be reached."),
    UPSTREAM_TIMEOUT(504, "GatewayTimeout", "The upstream S3 service did not answer in time."),
    X_AMZ_CONTENT_SHA256_MISMATCH(400, "XAmzContentSHA256Mismatch",
            "The provided 'x-amz-content-sha256' header does not match what was computed.");

    private final int status;
    private final String code;
    private final String message;

    S3ErrorCode(int status, String code, String message) {
        this.status = status;
        this.code = code;
        this.message = message;
    }

    /** Returns the HTTP status S3 answers with. */
    public int status() {
        return status;
    }

    /** Returns the code as it appears in {@code <Code>}. */
    public String code() {
        return code;
    }

    /** Returns S3's default message for this error. */
    public String defaultMessage() {
        return message;
    }
}
