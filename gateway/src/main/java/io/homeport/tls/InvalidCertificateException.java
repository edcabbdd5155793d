package io.homeport.tls;

import java.io.IOException;

/** A certificate or key file that cannot serve: unreadable, not PEM, expired, or a key that does not match. */
public final class InvalidCertificateException extends IOException {

    private static final long serialVersionUID = 1L;

    public InvalidCertificateException(String message) {
        super(message);
    }

    public InvalidCertificateException(String message, Throwable cause) {
        super(message, cause);
    }
}
