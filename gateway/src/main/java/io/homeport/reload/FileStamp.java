package io.homeport.reload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;

/**
 * What the poller compares: size, modification time and file key (inode), read without opening
 * the file. The file key catches a rename-into-place that keeps size and time ({@code cp -p}).
 */
public record FileStamp(long size, FileTime modified, Object fileKey) {

    public static final FileStamp MISSING = new FileStamp(-1, null, null);

    /** The stamp of {@code file} (following links), or {@link #MISSING} when it cannot be read. */
    public static FileStamp of(Path file) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return new FileStamp(attributes.size(), attributes.lastModifiedTime(), attributes.fileKey());
        } catch (IOException e) {
            return MISSING;
        }
    }
}
