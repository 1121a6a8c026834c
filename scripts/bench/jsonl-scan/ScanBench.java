import io.engram.core.ingestion.*;
import java.nio.file.*;
import java.util.*;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
/**
 * Discovery's JSONL scan, streamed (SourceScanner, since 0198ae3) against the whole-file scan it
 * replaced (read into one array, each line parsed for its id and hashed by range), side by side in
 * one JVM: 25 rounds, the first 5 as warm-up, medians printed.
 */
public class ScanBench {
  // The scan before 0198ae3: the whole file in one array, each line parsed and hashed by range.
  static int oldScan(Path file) throws Exception {
    byte[] bytes = Files.readAllBytes(file);
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    int start = 0, count = 0;
    while (start < bytes.length) {
      int end = start;
      while (end < bytes.length && bytes[end] != '\n') end++;
      int length = end - start;
      if (length > 0 && bytes[end - 1] == '\r') length--;
      if (length > 0) {
        var node = json.readTree(bytes, start, length);
        node.get("_id").asText();
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(bytes, start, length);
        HexFormat.of().formatHex(md.digest());
        count++;
      }
      start = end + 1;
    }
    return count;
  }
  public static void main(String[] a) throws Exception {
    Path f = Path.of(a[0]);
    int rounds = 25;
    List<Double> olds = new ArrayList<>();
    List<Double> news = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      long t0 = System.nanoTime(); int n1 = oldScan(f); long t1 = System.nanoTime();
      int[] n2 = {0}; SourceScanner.scanPath(f, d -> n2[0]++); long t2 = System.nanoTime();
      if (n1 != n2[0]) throw new IllegalStateException("the scans disagree: " + n1 + " vs " + n2[0]);
      if (r >= 5) { olds.add((t1 - t0) / 1e6); news.add((t2 - t1) / 1e6); }
    }
    Collections.sort(olds); Collections.sort(news);
    double o = olds.get(olds.size() / 2), n = news.get(news.size() / 2);
    System.out.printf("%s: %d bytes; median of %d rounds: whole-file %.1f ms, streamed %.1f ms, streamed/whole-file %.2f%n",
        f, Files.size(f), olds.size(), o, n, n / o);
  }
}
