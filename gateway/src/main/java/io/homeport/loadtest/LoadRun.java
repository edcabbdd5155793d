package io.homeport.loadtest;

import io.homeport.geoip.GeoIpDatabase;
import io.homeport.geoip.InvalidGeoIpDatabaseException;
import io.homeport.netty.Transports;
import io.homeport.routing.RoutingSnapshot;
import io.homeport.rules.InvalidRulesException;
import io.homeport.rules.RoutingRules;
import io.homeport.rules.RulesLoader;
import io.homeport.rules.UserPins;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.AsciiString;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One load test from start to end: clients sampled, connections opened, load offered for the
 * duration, stragglers given the timeout to finish, results gathered. Every phase is bounded in
 * time; the open model is also bounded in count (rate times duration).
 */
public final class LoadRun {

    static final long CONNECT_TIMEOUT_MILLIS = 5_000;
    /** Lead time between the end of set-up and the first intended start. */
    static final long START_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final LoadTestConfig config;
    private final PrintWriter log;
    private volatile OpenLoopDriver openDriver;
    private volatile ClosedLoopDriver closedDriver;
    private volatile boolean stopRequested;

    /** {@code log} gets the set-up notes and the progress line (standard error, for the command). */
    public LoadRun(LoadTestConfig config, PrintWriter log) {
        this.config = config;
        this.log = log;
    }

    public LoadReport run()
            throws InvalidRulesException, InvalidGeoIpDatabaseException, UnreachableTargetException, InterruptedException {
        RoutingRules rules = new RulesLoader().load(config.expectation().rules());
        // User ids go in the header the rules name, as the gateway reads them.
        AsciiString userIdHeader = AsciiString.cached(rules.residency().users().map(UserPins::identityHeader).orElse("X-User-Id"));
        ClientPopulation population;
        String databaseDescription;
        try (GeoIpDatabase database = GeoIpDatabase.open(config.expectation().geoip())) {
            databaseDescription = database.description();
            population = sampleClients(rules, database);
        }

        Transports transports = Transports.best();
        EventLoopGroup group = transports.newGroup(config.client().ioThreads(), "loadtest-io");
        try {
            long timeoutNanos = config.client().timeout().toNanos();
            RequestDispatcher dispatcher = new RequestDispatcher(Ticker.SYSTEM, timeoutNanos,
                    config.model() instanceof LoadModel.FixedRate rate ? RequestDispatcher.queueBound(rate.perSecond(), timeoutNanos)
                            : LoadModel.FixedConcurrency.MAX);
            List<HttpConnection> connections = openConnections(transports, group, dispatcher, userIdHeader);
            try {
                prime(population, dispatcher);
                return measure(population, dispatcher, connections, databaseDescription);
            } finally {
                connections.forEach(HttpConnection::close);
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Ends the load early (Ctrl-C): no new requests; those in flight finish and are reported. */
    public void stop() {
        stopRequested = true;
        OpenLoopDriver open = openDriver;
        if (open != null) {
            open.stop();
        }
        ClosedLoopDriver closed = closedDriver;
        if (closed != null) {
            closed.stop();
        }
    }

    private ClientPopulation sampleClients(RoutingRules rules, GeoIpDatabase database) {
        LoadTestConfig.Traffic traffic = config.traffic();
        long began = System.nanoTime();
        CountryAddressSampler.AddressPools pools = new CountryAddressSampler(database, CountryAddressSampler.ProbeBudget.DEFAULT)
                .sample(List.copyOf(traffic.mix().weights().keySet()), traffic.clientsPerMarket(), traffic.seed());
        log.printf(Locale.ROOT, "clients: %d per market, addresses from %s (%d random lookups%s, %.1f s)%n",
                traffic.clientsPerMarket(), database.description(), pools.probes(),
                pools.filledFromNetworks().isEmpty() ? "" : "; " + String.join(", ", pools.filledFromNetworks())
                        + " completed from the database's network list",
                (System.nanoTime() - began) / 1e9);
        ClientPopulation population = ClientPopulation.of(traffic.mix(), pools.byCountry(), traffic.userIds(),
                new RoutingSnapshot(rules, database), config.target().path(), traffic.seed());
        log.println("expected regions (rules " + config.expectation().rules() + "): " + ExpectedRegions.describe(population));
        log.flush();
        return population;
    }

    private List<HttpConnection> openConnections(Transports transports, EventLoopGroup group, RequestDispatcher dispatcher,
            AsciiString userIdHeader) throws UnreachableTargetException, InterruptedException {
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(transports.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT_MILLIS);
        List<HttpConnection> connections = new ArrayList<>();
        for (int i = 0; i < config.client().connections(); i++) {
            connections.add(new HttpConnection(bootstrap, group.next(), config.target(), userIdHeader, dispatcher, Ticker.SYSTEM,
                    config.client().timeout().toNanos()));
        }
        List<ChannelFuture> futures = connections.stream().map(HttpConnection::connect).toList();
        Throwable failure = null;
        int connected = 0;
        for (ChannelFuture future : futures) {
            future.await(CONNECT_TIMEOUT_MILLIS + 1000);
            if (future.isSuccess()) {
                connected++;
            } else if (failure == null) {
                failure = future.cause();
            }
        }
        if (connected == 0) {
            connections.forEach(HttpConnection::close); // else they would go on reconnecting
            throw new UnreachableTargetException("cannot connect to " + config.target().url() + ": "
                    + (failure == null ? "timed out" : failure.getMessage()), failure);
        }
        log.printf(Locale.ROOT, "load: %s for %s s%s over %d/%d connections to %s%n", config.model().describe(),
                Reports.number(config.duration().toMillis() / 1000.0),
                config.warmup().isZero() ? "" : " after a " + Reports.number(config.warmup().toMillis() / 1000.0) + " s warm-up",
                connected, connections.size(), config.target().url());
        log.flush();
        return connections;
    }

    /**
     * Two unrecorded requests per connection before the clock starts: they load the client's classes
     * and set up the gateway's side of every connection, costs that would otherwise land on the
     * first measured second as a stall of a few hundred milliseconds. JIT warm-up is {@code --warmup}'s job.
     */
    private void prime(ClientPopulation population, RequestDispatcher dispatcher) throws InterruptedException {
        SplittableRandom random = new SplittableRandom(~config.traffic().seed());
        for (int i = 0; i < primingRequests(); i++) {
            dispatcher.submit(new PlannedRequest(System.nanoTime(), population.next(random)));
        }
        awaitOutstanding(dispatcher, System.nanoTime() + config.client().timeout().toNanos() + TimeUnit.SECONDS.toNanos(1));
    }

    /** Two a connection: enough to open each one and pass a request both ways on it. */
    private int primingRequests() {
        return 2 * config.client().connections();
    }

    /** The warm-up and the measured load, then the stragglers: each request gets its timeout to end. */
    private LoadReport measure(ClientPopulation population, RequestDispatcher dispatcher, List<HttpConnection> connections,
            String databaseDescription) throws InterruptedException {
        Instant startedAt = Instant.now();
        long warmUpStart = System.nanoTime() + START_DELAY_NANOS;
        long start = warmUpStart + config.warmup().toNanos();
        long end = start + config.duration().toNanos();
        ResultRecorder recorder = new ResultRecorder(config.traffic().mix(), start);
        dispatcher.onCompletion(recorder);
        ScheduledExecutorService progressTimer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "loadtest-progress");
            thread.setDaemon(true);
            return thread;
        });
        try {
            progressTimer.scheduleAtFixedRate(new ProgressLine(recorder, dispatcher, Ticker.SYSTEM, start, log),
                    START_DELAY_NANOS + TimeUnit.SECONDS.toNanos(1), TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS);
            drive(population, dispatcher, warmUpStart, end);
            awaitOutstanding(dispatcher, Math.max(System.nanoTime(), end) + config.client().timeout().toNanos()
                    + TimeUnit.SECONDS.toNanos(1));
            dispatcher.expireQueued();
            connections.forEach(HttpConnection::close);
            awaitOutstanding(dispatcher, System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
        } finally {
            progressTimer.shutdownNow();
        }

        long last = Math.max(recorder.lastCompletionNanos(), start);
        LoadReport.Run run = new LoadReport.Run(startedAt, config.target().url(),
                config.model().describe() + (stopRequested ? ", stopped early" : ""),
                config.warmup().toMillis() / 1000.0, config.duration().toMillis() / 1000.0, config.client().connections(),
                config.traffic().mix().toString(), config.traffic().userIds(), config.expectation().rules().toString(),
                databaseDescription, config.model(), config.traffic().mix(), stopRequested, primingRequests());
        return new LoadReport(run, (last - start) / 1e9, recorder.total(), recorder.markets(), recorder.regions(),
                recorder.series());
    }

    /** Offers load from {@code start} (the warm-up's start) until {@code end}. */
    private void drive(ClientPopulation population, RequestDispatcher dispatcher, long start, long end)
            throws InterruptedException {
        if (config.model() instanceof LoadModel.FixedRate rate) {
            SplittableRandom random = new SplittableRandom(config.traffic().seed());
            Supplier<Client> clients = () -> population.next(random); // the driver's thread only
            openDriver = new OpenLoopDriver(ArrivalSchedule.of(start, rate.perSecond(), config.warmup().plus(config.duration())),
                    clients, dispatcher, Ticker.SYSTEM, Pacer.SYSTEM);
            if (stopRequested) {
                openDriver.stop();
            }
            openDriver.run();
        } else if (config.model() instanceof LoadModel.FixedConcurrency concurrency) {
            closedDriver = new ClosedLoopDriver(concurrency.users(), end, () -> population.next(ThreadLocalRandom.current()),
                    dispatcher, Ticker.SYSTEM);
            Pacer.SYSTEM.waitUntil(start);
            closedDriver.start();
            while (!stopRequested && System.nanoTime() < end) {
                Pacer.SYSTEM.waitUntil(Math.min(end, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100)));
            }
            closedDriver.stop();
        }
    }

    private static void awaitOutstanding(RequestDispatcher dispatcher, long deadlineNanos) throws InterruptedException {
        while (dispatcher.outstanding() > 0 && System.nanoTime() < deadlineNanos) {
            Thread.sleep(10);
        }
    }
}
