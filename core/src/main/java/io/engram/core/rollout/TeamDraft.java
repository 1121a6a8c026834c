package io.engram.core.rollout;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Team-draft interleaving (Radlinski, Kurup and Joachims, "How does clickthrough data reflect
 * retrieval quality?", CIKM 2008): two rankings are merged as captains pick players. In each round
 * the team with fewer picks, or a coin toss on a tie, adds its best item not yet picked; every item
 * remembers the team that picked it, so a click on it is credited to that team. Items both rankings
 * hold are picked once, by whoever gets to them first. Needs far less traffic than a split test to
 * tell two rankers apart: both are judged on the same query by the same user.
 *
 * <p>Deterministic for a seed (the query's id), so a replayed query interleaves alike.
 */
public final class TeamDraft {
  /** The team of the first ranking. */
  public static final String A = Arm.CHAMPION;

  /** The team of the second ranking. */
  public static final String B = Arm.CANDIDATE;

  /**
   * The merged list, best first, and which team picked each item.
   *
   * @param teams {@link #A} or {@link #B} per item, aligned with {@code items}
   */
  public record Interleaved<T>(List<T> items, List<String> teams) {
    public Interleaved {
      items = List.copyOf(items);
      teams = List.copyOf(teams);
    }

    /** The share of the items team {@code team} picked; 0 for an empty list. */
    public double share(String team) {
      return items.isEmpty()
          ? 0
          : teams.stream().filter(team::equals).count() / (double) items.size();
    }
  }

  private TeamDraft() {}

  /**
   * Interleaves {@code a} and {@code b} into at most {@code k} items.
   *
   * @param key what makes two items the same (a document's source, whichever chunk of it ranked)
   * @param seed decides the coin tosses
   */
  public static <T, K> Interleaved<T> interleave(
      List<T> a, List<T> b, int k, Function<T, K> key, long seed) {
    SplittableRandom coin = new SplittableRandom(seed);
    List<T> items = new ArrayList<>();
    List<String> teams = new ArrayList<>();
    Set<K> picked = new HashSet<>();
    int pickedA = 0;
    int pickedB = 0;
    int nextA = 0;
    int nextB = 0;
    while (items.size() < k) {
      nextA = skipPicked(a, nextA, key, picked);
      nextB = skipPicked(b, nextB, key, picked);
      boolean aLeft = nextA < a.size();
      boolean bLeft = nextB < b.size();
      if (!aLeft && !bLeft) {
        break;
      }
      boolean aPicks =
          aLeft && (!bLeft || pickedA < pickedB || (pickedA == pickedB && coin.nextBoolean()));
      T item = aPicks ? a.get(nextA) : b.get(nextB);
      picked.add(key.apply(item));
      items.add(item);
      if (aPicks) {
        teams.add(A);
        pickedA++;
      } else {
        teams.add(B);
        pickedB++;
      }
    }
    return new Interleaved<>(items, teams);
  }

  private static <T, K> int skipPicked(
      List<T> ranking, int from, Function<T, K> key, Set<K> picked) {
    int i = from;
    while (i < ranking.size() && picked.contains(key.apply(ranking.get(i)))) {
      i++;
    }
    return i;
  }
}
