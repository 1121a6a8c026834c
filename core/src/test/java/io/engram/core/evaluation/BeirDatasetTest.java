package io.engram.core.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BeirDatasetTest {

  private static final byte[] QUERIES =
      bytes(
          """
          {"_id": "6", "text": "held-out question", "metadata": {}}
          {"_id": "1", "text": "first question"}

          {"_id": "2", "text": "second question"}
          {"_id": 3, "text": "numeric id"}
          """);

  @Test
  void selects_judged_queries_in_qrels_order_with_graded_relevance() throws Exception {
    byte[] qrels = bytes("query-id\tcorpus-id\tscore\n2\td2\t1\n1\td1\t2\n1\td9\t1\n3\td3\t1\n");

    BeirDataset.Selection selection = BeirDataset.select(QUERIES, qrels, QuerySplit.Part.ALL, null);

    assertThat(selection.queries())
        .extracting(BeirDataset.Query::id)
        .containsExactly("2", "1", "3");
    assertThat(selection.queries().get(1).relevant()).isEqualTo(Map.of("d1", 2, "d9", 1));
    assertThat(selection.queries().get(1).text()).isEqualTo("first question");
    assertThat(selection.judged()).isEqualTo(3);
    assertThat(selection.withoutText()).isZero();
  }

  @Test
  void zero_scores_and_queries_without_text_are_skipped() throws Exception {
    byte[] qrels = bytes("1\td1\t0\n2\td2\t1\n404\td4\t1\n");

    BeirDataset.Selection selection = BeirDataset.select(QUERIES, qrels, QuerySplit.Part.ALL, null);

    assertThat(selection.queries()).extracting(BeirDataset.Query::id).containsExactly("2");
    assertThat(selection.judged()).isEqualTo(2);
    assertThat(selection.withoutText()).isEqualTo(1);
  }

  @Test
  void the_part_and_the_limit_narrow_the_selection() throws Exception {
    // "6" is held out by QuerySplit (pinned in QuerySplitTest); "1" and "2" are in the fit part.
    byte[] qrels = bytes("6\td6\t1\n1\td1\t1\n2\td2\t1\n");

    assertThat(BeirDataset.select(QUERIES, qrels, QuerySplit.Part.HELD_OUT, null).queries())
        .extracting(BeirDataset.Query::id)
        .containsExactly("6");
    assertThat(BeirDataset.select(QUERIES, qrels, QuerySplit.Part.FIT, null).queries())
        .extracting(BeirDataset.Query::id)
        .containsExactly("1", "2");
    assertThat(BeirDataset.select(QUERIES, qrels, QuerySplit.Part.ALL, 2).queries())
        .extracting(BeirDataset.Query::id)
        .containsExactly("6", "1");
  }

  @Test
  void malformed_qrels_name_the_line() {
    assertThatThrownBy(
            () ->
                BeirDataset.select(
                    QUERIES, bytes("q\tc\tscore\n1\td1\t1\n2 d2 1\n"), QuerySplit.Part.ALL, null))
        .isInstanceOf(BeirDataset.InvalidDatasetException.class)
        .hasMessageContaining("qrels line 3");
    assertThatThrownBy(
            () ->
                BeirDataset.select(
                    QUERIES, bytes("1\td1\t1\n2\td2\thigh\n"), QuerySplit.Part.ALL, null))
        .isInstanceOf(BeirDataset.InvalidDatasetException.class)
        .hasMessageContaining("qrels line 2: score 'high' is not an integer");
  }

  @Test
  void malformed_queries_name_the_line() {
    byte[] qrels = bytes("1\td1\t1\n");
    assertThatThrownBy(
            () ->
                BeirDataset.select(
                    bytes("{\"_id\":\"1\",\"text\":\"ok\"}\nnot json\n"),
                    qrels,
                    QuerySplit.Part.ALL,
                    null))
        .isInstanceOf(BeirDataset.InvalidDatasetException.class)
        .hasMessageContaining("queries.jsonl line 2 is not JSON");
    assertThatThrownBy(
            () -> BeirDataset.select(bytes("{\"id\":\"1\"}\n"), qrels, QuerySplit.Part.ALL, null))
        .isInstanceOf(BeirDataset.InvalidDatasetException.class)
        .hasMessageContaining("line 1 needs an \"_id\" and a \"text\"");
  }

  @Test
  void nothing_to_evaluate_is_an_invalid_dataset() {
    assertThatThrownBy(
            () -> BeirDataset.select(QUERIES, bytes("1\td1\t0\n"), QuerySplit.Part.ALL, null))
        .isInstanceOf(BeirDataset.InvalidDatasetException.class)
        .hasMessageContaining("judges no document relevant");
    assertThatThrownBy(
            () -> BeirDataset.select(QUERIES, bytes("1\td1\t1\n"), QuerySplit.Part.HELD_OUT, null))
        .isInstanceOf(BeirDataset.InvalidDatasetException.class)
        .hasMessageContaining("none in part held-out");
  }

  @Test
  void parts_have_wire_names() {
    assertThat(QuerySplit.Part.HELD_OUT.wireName()).isEqualTo("held-out");
    assertThat(QuerySplit.Part.fromWireName("fit")).isEqualTo(QuerySplit.Part.FIT);
    assertThatThrownBy(() -> QuerySplit.Part.fromWireName("HELD_OUT"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("all, fit, held-out");
  }

  @Test
  void a_byte_order_mark_at_the_start_of_queries_or_qrels_is_ignored() throws Exception {
    byte[] queries = bytes("\uFEFF{\"_id\": \"1\", \"text\": \"first question\"}\n");
    byte[] qrels = bytes("\uFEFF1\td1\t1\n");

    BeirDataset.Selection selection = BeirDataset.select(queries, qrels, QuerySplit.Part.ALL, null);

    assertThat(selection.queries()).extracting(BeirDataset.Query::id).containsExactly("1");
    assertThat(selection.queries().get(0).text()).isEqualTo("first question");
    assertThat(selection.withoutText()).isZero();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
