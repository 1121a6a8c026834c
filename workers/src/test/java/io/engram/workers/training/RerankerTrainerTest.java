package io.engram.workers.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.core.evaluation.QuerySplit;
import io.engram.core.rerank.RerankFeatures;
import io.engram.core.retrieval.Candidate;
import io.engram.core.store.PgVectorChunkStore.ChunkHit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RerankerTrainerTest {

  @Test
  void options_default_to_the_train_split_and_the_folder_name() {
    RerankerTrainer.Options o =
        RerankerTrainer.Options.parse(new String[] {"/data/SciFact", "--out", "m.json"}, Map.of());
    assertThat(o.split()).isEqualTo("train");
    assertThat(o.testSplit()).isEqualTo("test");
    assertThat(o.collection()).isEqualTo("scifact");
    assertThat(o.name()).isEqualTo("linear-scifact-v1");
    assertThat(o.candidates()).isEqualTo(100);
    assertThat(o.dbUrl()).isEqualTo(RerankerTrainer.DEFAULT_DB_URL);
    assertThat(o.seed()).isEqualTo(42);
  }

  @Test
  void options_take_overrides_and_refuse_nonsense() {
    RerankerTrainer.Options o =
        RerankerTrainer.Options.parse(
            new String[] {
              "d", "--out", "m.json", "--collection", "c", "--candidates", "50", "--db-url", "u"
            },
            Map.of("ENGRAM_DB_USER", "me"));
    assertThat(o.collection()).isEqualTo("c");
    assertThat(o.candidates()).isEqualTo(50);
    assertThat(o.dbUrl()).isEqualTo("u");
    assertThat(o.dbUser()).isEqualTo("me");
    assertThatThrownBy(() -> RerankerTrainer.Options.parse(new String[] {"d"}, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--out");
    assertThatThrownBy(
            () -> RerankerTrainer.Options.parse(new String[] {"d", "--out", "m", "--x"}, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown argument --x");
  }

  @Test
  void a_beir_split_keeps_judged_queries_and_splits_them_by_id(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("qrels"));
    StringBuilder queries = new StringBuilder();
    StringBuilder qrels = new StringBuilder("query-id\tcorpus-id\tscore\n");
    for (int q = 0; q < 50; q++) {
      queries.append("{\"_id\": \"").append(q).append("\", \"text\": \"query ").append(q);
      queries.append("\"}\n");
      qrels.append(q).append("\td").append(q).append("\t1\n");
    }
    qrels.append("99\td99\t1\n").append("7\td8\t0\n");
    Files.writeString(dir.resolve("queries.jsonl"), queries);
    Files.writeString(dir.resolve("qrels/train.tsv"), qrels);

    BeirSplit split = BeirSplit.read(dir, "train");
    assertThat(split.size()).isEqualTo(50);
    assertThat(split.qrels().get("7")).containsOnlyKeys("d7");
    BeirSplit fit = split.part(QuerySplit.Part.FIT);
    BeirSplit heldOut = split.part(QuerySplit.Part.HELD_OUT);
    assertThat(fit.size() + heldOut.size()).isEqualTo(50);
    assertThat(heldOut.queries().keySet()).allMatch(QuerySplit::isHeldOut);
    assertThat(BeirSplit.exists(dir, "test")).isFalse();
  }

  @Test
  void training_examples_label_chunks_by_their_document() {
    BeirSplit split =
        new BeirSplit("train", Map.of("q1", "statin trial"), Map.of("q1", Map.of("d2", 1)));
    List<Candidate> hits =
        List.of(
            new Candidate(
                new ChunkHit(1, 1, "d1", "t", "a statin", 0.9),
                0.9,
                new Candidate.Leg(1, 0.9, 1),
                new Candidate.Leg(0, 0, 0)),
            new Candidate(
                new ChunkHit(2, 2, "d2", "t", "statin trial", 0.8),
                0.5,
                new Candidate.Leg(0, 0.8, 2),
                new Candidate.Leg(1, 0.1, 1)));
    var queries = RerankerTrainer.features(split, new CandidateSets("v", Map.of("q1", hits)));
    assertThat(queries).hasSize(1);
    assertThat(queries.get(0).documents()).containsExactly("d1", "d2");
    assertThat(queries.get(0).features()[0]).hasSize(RerankFeatures.COUNT);
    assertThat(RerankerTrainer.documents(hits)).containsExactly("d1", "d2");
  }
}
