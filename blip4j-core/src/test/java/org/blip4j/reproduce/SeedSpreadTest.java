package org.blip4j.reproduce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SeedSpread} on hand-made run directories whose means, deviations and verdicts are computed by hand below. */
class SeedSpreadTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  /** TR@1, IR@1, CIDEr (×100) of a row; TR@1 by ITC alone is twice TR@1, the other metrics are fixed. */
  private record R(double tr, double ir, double cider) {}

  /** A finished run of {@code profile} with {@code seed}: noboot and CF as given, the other rows equal to noboot. */
  private Path run(String name, ReproductionProfile profile, long seed, R noboot, R cf, double noisyRemoved, double cleanKept) throws Exception {
    Path out = dir.resolve(name);
    Files.createDirectories(out.resolve("eval"));
    Files.writeString(out.resolve("profile.json"), Reproduction.profileJson(profile.withSeed(seed)));
    for (String m : new Reproduction(profile, out, null).rows()) {
      R r = m.equals("CF") ? cf : noboot;
      Files.writeString(out.resolve("eval").resolve(m + ".json"), String.format(Locale.ROOT, """
          {"model": "%s",
           "retrieval_test": {"metrics": {"txt_r1": %s, "img_r1": %s}, "metrics_itc": {"txt_r1": %s, "img_r1": 30.0}},
           "retrieval_zs_test": {"metrics": {"txt_r1": 12.0, "img_r1": 8.0}},
           "caption_test": {"metrics": {"Bleu_4": 0.45, "CIDEr": %s}}}
          """, m, r.tr(), r.ir(), 2 * r.tr(), r.cider() / 100));
    }
    Files.createDirectories(out.resolve("capfilt-nucleus"));
    Files.writeString(out.resolve("capfilt-nucleus/report.json"), String.format(Locale.ROOT, """
        {"filter_vs_noise_labels": {"noisy_removed_fraction": %s, "clean_kept_fraction": %s}, "synthetic_noise": {"incorrect_ratio": 0.8}}
        """, noisyRemoved, cleanKept));
    return out;
  }

  private List<Path> threeSeeds() throws Exception {
    ReproductionProfile full = ReproductionProfile.full();
    return List.of(run("s42", full, 42, new R(20, 10, 150), new R(22, 11, 155), 0.78, 0.74),
        run("s7", full, 7, new R(26, 10, 160), new R(24, 9, 150), 0.80, 0.70),
        run("s1", full, 1, new R(23, 10, 170), new R(29, 12, 180), 0.82, 0.72));
  }

  @Test
  void meansDeviationsAndPairedDifferencesOverSeeds() throws Exception {
    SeedSpread s = SeedSpread.of(threeSeeds());
    SeedSpread.Metric tr = SeedSpread.METRICS.get(0);
    SeedSpread.Metric ir = SeedSpread.METRICS.get(1);
    SeedSpread.Metric cider = SeedSpread.METRICS.get(5);
    assertThat(List.of(tr.label(), ir.label(), cider.label())).containsExactly("TR@1", "IR@1", "CIDEr");
    assertThat(s.rowNames()).containsExactly("noboot", "F", "C", "CF", "CF-beam");

    // noboot TR@1 20, 26, 23: mean 23, sd sqrt((9 + 9 + 0) / 2) = 3
    assertThat(s.stat("noboot", tr)).isEqualTo(new SeedSpread.Stat(3, 23, 3, 20, 26));
    // CF − noboot TR@1: +2, −2, +6 → mean 2, sd sqrt((0 + 16 + 16) / 2) = 4; better in 2
    SeedSpread.Stat d = s.difference("CF", tr);
    assertThat(d.mean()).isCloseTo(2, within(1e-12));
    assertThat(d.sd()).isCloseTo(4, within(1e-12));
    assertThat(s.better("CF", tr)).isEqualTo(2);
    // IR@1 +1, −1, +2; CIDEr +5, −10, +10
    assertThat(s.difference("CF", ir).mean()).isCloseTo(2.0 / 3, within(1e-12));
    assertThat(s.difference("CF", cider).mean()).isCloseTo(5.0 / 3, within(1e-9));
    assertThat(s.better("CF", cider)).isEqualTo(2);
    // F equals noboot in every seed: never better, difference 0 ± 0
    assertThat(s.better("F", tr)).isZero();
    assertThat(s.difference("F", tr)).isEqualTo(new SeedSpread.Stat(3, 0, 0, 0, 0));
    // TR@1 by ITC alone: 40, 52, 46 for noboot; CF − noboot +4, −4, +12
    SeedSpread.Metric itc = SeedSpread.METRICS.get(6);
    assertThat(itc.label()).isEqualTo("TR@1 ITC");
    assertThat(s.stat("noboot", itc)).isEqualTo(new SeedSpread.Stat(3, 46, 6, 40, 52));
    assertThat(s.difference("CF", itc).mean()).isCloseTo(4, within(1e-12));
    assertThat(s.better("CF", SeedSpread.METRICS.get(7))).isZero();
    // seed 42: all three better; seed 7: none; seed 1: all three
    assertThat(s.wins()).isEqualTo(2);

    assertThat(s.verdict()).startsWith("VERDICT ACROSS 3 SEEDS (42, 7, 1): MIXED — C+F beats no-bootstrap on TR@1, IR@1 and CIDEr together in 2 of 3 seeds")
        .contains("TR@1 in 2 (C+F − noboot +2.0 ± 4.0)", "IR@1 in 2 (C+F − noboot +0.7 ± 1.5)", "CIDEr in 2 (C+F − noboot +1.7 ± 10.4)");
    assertThat(s.markdown()).contains("| noboot | 23.0 ± 3.0 [20.0, 26.0] |", "| CF | +2.0 ± 4.0 (better in 2/3) |",
        "| 7 | 26.0 / 10.0 / 160.0 | 24.0 / 9.0 / 150.0 | NO |", "| 42 | 78.0 % | 74.0 % | 80.0 % | – |",
        "| mean ± sd | 80.0 ± 2.0 % | 72.0 ± 2.0 % | 80.0 ± 0.0 % | – |", "seed 7: `" + dir.resolve("s7") + "`");
  }

  @Test
  void yesOnlyWhenEverySeedWinsAndNoWhenNone() throws Exception {
    ReproductionProfile quick = ReproductionProfile.quick();
    Path a = run("a", quick, 1, new R(10, 5, 10), new R(12, 6, 20), 0.9, 0.9);
    Path b = run("b", quick, 2, new R(10, 5, 10), new R(11, 7, 30), 0.9, 0.9);
    Path c = run("c", quick, 3, new R(10, 5, 10), new R(11, 5, 30), 0.9, 0.9);
    assertThat(SeedSpread.of(List.of(a, b)).verdict()).contains(": YES — ", "together in 2 of 2 seeds");
    // c ties noboot on IR@1: not better, so not a win
    assertThat(SeedSpread.of(List.of(c, a)).verdict()).contains(": MIXED — ", "together in 1 of 2 seeds", "IR@1 in 1 ");
    Path d = run("d", quick, 4, new R(10, 5, 10), new R(9, 4, 5), 0.9, 0.9);
    assertThat(SeedSpread.of(List.of(c, d)).verdict()).contains(": NO — ", "together in 0 of 2 seeds");
    // the quick profile has no beam row
    assertThat(SeedSpread.of(List.of(a, b)).rowNames()).containsExactly("noboot", "F", "C", "CF");
    assertThat(SeedSpread.of(List.of(a, b)).markdown()).doesNotContain("beam synthetic");
  }

  @Test
  void jsonCarriesEveryStatisticAndNullsForMissingCapFiltNumbers() throws Exception {
    List<Path> runs = threeSeeds();
    Files.delete(runs.get(1).resolve("capfilt-nucleus/report.json"));
    JsonNode j = JSON.readTree(SeedSpread.of(runs).toJson().toString());
    assertThat(j.path("seeds").toString()).isEqualTo("[42,7,1]");
    assertThat(j.path("wins").asInt()).isEqualTo(2);
    assertThat(j.at("/rows/noboot/txt_r1/mean").asDouble()).isEqualTo(23);
    assertThat(j.at("/rows/noboot/txt_r1/sd").asDouble()).isEqualTo(3);
    assertThat(j.at("/rows/noboot/CIDEr/max").asDouble()).isCloseTo(170, within(1e-9));
    assertThat(j.at("/minus_noboot/CF/txt_r1/mean").asDouble()).isCloseTo(2, within(1e-12));
    assertThat(j.at("/minus_noboot/CF/txt_r1/better_in").asInt()).isEqualTo(2);
    assertThat(j.path("minus_noboot").has("noboot")).isFalse();
    assertThat(j.at("/capfilt/42/nucleus/noisy_removed_fraction").asDouble()).isEqualTo(0.78);
    assertThat(j.at("/capfilt/7/nucleus/noisy_removed_fraction").isNull()).isTrue();
    assertThat(j.at("/capfilt/7/beam/synthetic_incorrect_ratio").isNull()).isTrue();
    assertThat(j.at("/rows/noboot/itc_txt_r1/mean").asDouble()).isEqualTo(46);
  }

  @Test
  void aRunWithoutTheItcAloneRecallGivesNullsThere() throws Exception {
    List<Path> runs = threeSeeds();
    Path f = runs.get(1).resolve("eval/noboot.json");
    ObjectNode e = (ObjectNode) JSON.readTree(f.toFile());
    ((ObjectNode) e.path("retrieval_test")).remove("metrics_itc");
    Files.writeString(f, e.toString());
    JsonNode j = JSON.readTree(SeedSpread.of(runs).toJson().toString());
    assertThat(j.at("/rows/noboot/itc_txt_r1/mean").isNull()).isTrue();
    assertThat(j.at("/rows/CF/itc_txt_r1/mean").asDouble()).isCloseTo(50, within(1e-12));
    assertThat(j.at("/rows/noboot/txt_r1/mean").asDouble()).isEqualTo(23);
  }

  @Test
  void refusesRunsItCannotCompareNamingTheDirectory() throws Exception {
    List<Path> runs = threeSeeds();
    assertThatThrownBy(() -> SeedSpread.of(runs.subList(0, 1))).hasMessageContaining("at least two run directories, got 1");
    Path empty = Files.createDirectories(dir.resolve("empty"));
    assertThatThrownBy(() -> SeedSpread.of(List.of(runs.get(0), empty))).hasMessageContaining(empty + ": no profile.json");
    Path quick = run("quick", ReproductionProfile.quick(), 3, new R(1, 1, 1), new R(1, 1, 1), 0.5, 0.5);
    assertThatThrownBy(() -> SeedSpread.of(List.of(runs.get(0), quick))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(quick + " and " + runs.get(0) + " ran other settings than the seed (name quick vs full,")
        .hasMessageContaining("beamRow false vs true");
    Path again = run("again", ReproductionProfile.full(), 42, new R(1, 1, 1), new R(1, 1, 1), 0.5, 0.5);
    assertThatThrownBy(() -> SeedSpread.of(List.of(runs.get(0), again))).hasMessageContaining(again + " and " + runs.get(0) + " both ran seed 42");
    Files.delete(runs.get(2).resolve("eval/CF-beam.json"));
    assertThatThrownBy(() -> SeedSpread.of(runs)).hasMessageContaining(runs.get(2) + ": unfinished run, eval/CF-beam.json missing");
    Files.writeString(empty.resolve("profile.json"), "{\"name\": ");
    assertThatThrownBy(() -> SeedSpread.of(List.of(empty, runs.get(0)))).hasMessageContaining(empty.resolve("profile.json") + ": unreadable");
  }

  @Test
  void statOfEqualValuesHasNoSpread() {
    assertThat(SeedSpread.Stat.of(new double[] {1.5, 1.5})).isEqualTo(new SeedSpread.Stat(2, 1.5, 0, 1.5, 1.5));
  }
}
