package io.homeport.loadtest;

import io.homeport.routing.RoutingSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Everyone the load test plays: per market a fixed set of clients, each with a real address of its
 * country, an optional user id and its expected region, decided once up front by the same pure
 * decision the gateway makes. Picking a client is then an array index, cheap enough for the
 * scheduler thread at tens of thousands of requests a second.
 */
public final class ClientPopulation {

    /** User ids are drawn from this many, so some repeat, as real users do. */
    static final int USER_ID_SPACE = 1_000_000;

    private final MarketMix mix;
    private final Client[][] clientsByMarket;
    private final int[] cumulativeWeights;

    private ClientPopulation(MarketMix mix, Client[][] clientsByMarket) {
        this.mix = mix;
        this.clientsByMarket = clientsByMarket;
        this.cumulativeWeights = new int[clientsByMarket.length];
        int sum = 0;
        int index = 0;
        for (int weight : mix.weights().values()) {
            sum += weight;
            cumulativeWeights[index++] = sum;
        }
    }

    /**
     * The clients of every market of {@code mix}: one per address in {@code addresses}, with a
     * random user id when {@code userIds}, each with the region {@code snapshot} decides for it on
     * {@code path}. Like the gateway, the decision uses the user id only when the rules have a
     * {@code residency.users} section (which names the identity header).
     */
    public static ClientPopulation of(MarketMix mix, Map<String, int[]> addresses, boolean userIds, RoutingSnapshot snapshot,
            String path, long seed) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        boolean gatewayReadsUserIds = snapshot.rules().residency().users().isPresent();
        Client[][] byMarket = new Client[mix.weights().size()][];
        int index = 0;
        for (String market : mix.weights().keySet()) {
            int[] pool = addresses.get(market);
            List<Client> clients = new ArrayList<>(pool.length);
            for (int address : pool) {
                String userId = userIds ? "lt-" + random.nextInt(USER_ID_SPACE) : null;
                String expected = snapshot.decideIpv4(address, gatewayReadsUserIds ? userId : null, null, path).region();
                clients.add(new Client(market, dotted(address), userId, expected));
            }
            byMarket[index++] = clients.toArray(new Client[0]);
        }
        return new ClientPopulation(mix, byMarket);
    }

    /** A client of a market drawn by the mix's weights. */
    public Client next(RandomGenerator random) {
        int pick = random.nextInt(cumulativeWeights[cumulativeWeights.length - 1]);
        int market = 0;
        while (cumulativeWeights[market] <= pick) {
            market++;
        }
        Client[] clients = clientsByMarket[market];
        return clients[random.nextInt(clients.length)];
    }

    public MarketMix mix() {
        return mix;
    }

    /** The clients of one market, in the mix's order. */
    public List<Client> clients(String market) {
        int index = new ArrayList<>(mix.weights().keySet()).indexOf(market);
        return index < 0 ? List.of() : List.of(clientsByMarket[index]);
    }

    static String dotted(int address) {
        return (address >>> 24) + "." + (address >>> 16 & 0xff) + "." + (address >>> 8 & 0xff) + "." + (address & 0xff);
    }
}
