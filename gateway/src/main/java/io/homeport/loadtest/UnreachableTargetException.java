package io.homeport.loadtest;

/** Not one connection to the target could be opened: there is nothing to measure. */
public final class UnreachableTargetException extends Exception {

    private static final long serialVersionUID = 1L;

    public UnreachableTargetException(String message, Throwable cause) {
        super(message, cause);
    }
}
