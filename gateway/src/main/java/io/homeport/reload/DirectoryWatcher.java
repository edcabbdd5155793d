package io.homeport.reload;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the directories of a few files and calls back when one of them is created, written or
 * renamed into place. Directories, not files, are watched because editors and update jobs replace
 * a file by renaming a new one over it. Runs its own daemon thread ({@link WatchService#take}
 * blocks); the callback must only hand work off.
 */
final class DirectoryWatcher implements Closeable {

    private static final Logger logger = LoggerFactory.getLogger(DirectoryWatcher.class);

    private final WatchService service;
    private final Runnable onChange;
    private final Set<Path> directories = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private volatile Set<Path> files = Set.of();

    private DirectoryWatcher(WatchService service, Runnable onChange) {
        this.service = service;
        this.onChange = onChange;
        this.thread = new Thread(this::run, "homeport-reload-watch");
        this.thread.setDaemon(true);
    }

    /** Starts watching {@code files}; throws when the file system cannot watch their directories. */
    static DirectoryWatcher start(Collection<Path> files, Runnable onChange) throws IOException {
        Path any = files.iterator().next();
        DirectoryWatcher watcher = new DirectoryWatcher(any.getFileSystem().newWatchService(), onChange);
        try {
            watcher.watch(files);
        } catch (IOException | RuntimeException e) {
            watcher.close();
            throw e;
        }
        watcher.thread.start();
        return watcher;
    }

    /** Replaces the set of watched files (a reloaded rules file may name another users file). */
    void watch(Collection<Path> newFiles) throws IOException {
        Set<Path> absolute = newFiles.stream().map(DirectoryWatcher::absolute).collect(Collectors.toUnmodifiableSet());
        for (Path file : absolute) {
            Path directory = file.getParent();
            if (directory != null && !directories.contains(directory)) {
                directory.register(service, ENTRY_CREATE, ENTRY_MODIFY);
                directories.add(directory);
            }
        }
        files = absolute;
    }

    private void run() {
        try {
            for (;;) {
                WatchKey key = service.take();
                boolean relevant = false;
                for (WatchEvent<?> event : key.pollEvents()) {
                    relevant |= isRelevant((Path) key.watchable(), event);
                }
                key.reset();
                if (relevant) {
                    onChange.run();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ClosedWatchServiceException e) {
            logger.debug("file watcher closed");
        } catch (RuntimeException e) {
            logger.warn("file watcher stopped; changes are still found by polling", e);
        }
    }

    private boolean isRelevant(Path directory, WatchEvent<?> event) {
        if (event.kind() == OVERFLOW) {
            return true; // events were lost: one of ours may be among them
        }
        Path name = (Path) event.context();
        // Kubernetes mounts ConfigMaps through a "..data" symlink that is swapped on update; the
        // file names themselves never see an event there.
        return files.contains(absolute(directory.resolve(name))) || name.toString().startsWith("..");
    }

    private static Path absolute(Path file) {
        return file.toAbsolutePath().normalize();
    }

    @Override
    public void close() {
        try {
            service.close(); // wakes the thread blocked in take()
        } catch (IOException e) {
            logger.debug("closing the file watcher failed", e);
        }
    }
}
