#include <catch2/catch.hpp>
#include <cstdio>
#include <initializer_list>
#include <map>
#include <set>
#include <string>

#include "engine/data/log_reader.hpp"
#include "engine/data/prepare.hpp"
#include "engine/data/prepared_io.hpp"
#include "engine/error.hpp"
#include "support/temp_dir.hpp"

using namespace knntune::engine;
using knntune::test::TempDir;

namespace {

LogSpec timed_spec(const std::string& path) {
    LogSpec s;
    s.path = path;
    s.user = {"user", 0};
    s.item = {"item", 0};
    s.timestamp = {"time", 0};
    return s;
}

/// Explicit windows: train_val [01-01, 02-01), valid = train [02-01, 03-01), test [03-01, 04-01).
PrepareSpec monthly_windows() {
    PrepareSpec p;
    p.split.explicit_windows[0] =
        Window{*parse_timestamp("2020-01-01"), *parse_timestamp("2020-02-01")};
    p.split.explicit_windows[1] =
        Window{*parse_timestamp("2020-02-01"), *parse_timestamp("2020-03-01")};
    p.split.explicit_windows[2] = p.split.explicit_windows[1];
    p.split.explicit_windows[3] =
        Window{*parse_timestamp("2020-03-01"), *parse_timestamp("2020-04-01")};
    return p;
}

/// Entries of one period as (user key, item key) → value.
std::map<std::pair<std::string, std::string>, float> entries(const PreparedData& d, Period p) {
    std::map<std::pair<std::string, std::string>, float> out;
    const CsrMatrix& m = d.matrix(p);
    for (Index r = 0; r < m.rows; ++r) {
        for (Offset k = m.indptr[r]; k < m.indptr[r + 1]; ++k) {
            out[{d.user_keys[r], d.item_keys[m.indices[k]]}] = m.values[k];
        }
    }
    return out;
}

using Pairs = std::map<std::pair<std::string, std::string>, float>;

/// "train_val: a,y b,y=2; test: b,x": the (user, item) pairs of each period, with the value
/// when it is not 1.
std::string pairs_text(const PreparedData& d, std::initializer_list<Period> periods) {
    std::string out;
    for (const Period p : periods) {
        out += std::string(out.empty() ? "" : "; ") + period_name(p) + ":";
        for (const auto& [pair, v] : entries(d, p)) {
            char value[32] = "";
            if (v != 1.0F) std::snprintf(value, sizeof value, "=%g", static_cast<double>(v));
            out += " " + pair.first + "," + pair.second + value;
        }
    }
    return out;
}

}  // namespace

TEST_CASE("prepare: window boundaries are start-inclusive and end-exclusive", "[engine][data]") {
    TempDir dir;
    const auto path = dir.write("log.csv",
                                "user,item,time\n"
                                "a,x,2019-12-31 23:59:59\n"  // before every window: dropped
                                "a,y,2020-01-01 00:00:00\n"  // first second of train_val
                                "b,y,2020-01-31 23:59:59\n"  // last second of train_val
                                "a,z,2020-02-01 00:00:00\n"  // valid/train start
                                "b,z,2020-02-15\n"
                                "b,x,2020-03-01\n"     // test start
                                "a,x2,2020-04-01\n");  // test end: excluded
    PrepareSpec keep = monthly_windows();
    keep.filter.remove_cold_start = false;
    const PreparedData d = prepare(read_log(timed_spec(path)), keep);
    CHECK(pairs_text(d, {Period::TrainVal, Period::Train, Period::Valid}) ==
          "train_val: a,y b,y; train: a,z b,z; valid: a,z b,z");
    // a,x at 2019 is the pair's first interaction, so b,x is b's own first: kept in test.
    CHECK(entries(d, Period::Test) == Pairs{{{"b", "x"}, 1.0F}});
    CHECK(d.stats[3].window->start == *parse_timestamp("2020-03-01"));
}

TEST_CASE("prepare: chronological layout counts windows back from the end", "[engine][data]") {
    TempDir dir;
    const auto path = dir.write("log.csv",
                                "user,item,time\n"
                                "a,x,2020-01-10\na,y,2020-02-10\na,z,2020-03-10\nb,x,2020-03-11\n"
                                "b,y,2020-04-10\nb,z,2020-04-12 18:00\n");
    PrepareSpec p;
    p.split.train_val_window = p.split.valid_window = p.split.test_window = Duration{1, 0};
    p.filter.remove_cold_start = false;
    const PreparedData d = prepare(read_log(timed_spec(path)), p);
    // end = midnight after the last event = 2020-04-13; test = [03-13, 04-13), valid = train =
    // [02-13, 03-13), train_val = [01-13, 02-13).
    CHECK(format_timestamp(d.stats[3].window->end) == "2020-04-13");
    CHECK(format_timestamp(d.stats[3].window->start) == "2020-03-13");
    CHECK(format_timestamp(d.stats[1].window->start) == "2020-02-13");
    CHECK(format_timestamp(d.stats[0].window->start) == "2020-01-13");
    CHECK(pairs_text(d, {Period::TrainVal, Period::Valid, Period::Test}) ==
          "train_val: a,y; valid: a,z b,x; test: b,y b,z");
}

TEST_CASE("prepare: dedup keeps the first interaction; counts stay in its window",
          "[engine][data]") {
    TempDir dir;
    // Rows are out of time order on purpose.
    const auto path = dir.write("log.csv",
                                "user,item,time,qty\n"
                                "a,x,2020-02-20,5\n"
                                "a,x,2020-01-05,2\n"  // first interaction of (a, x): train_val
                                "a,x,2020-01-20,3\n"
                                "b,x,2020-02-02,1\n"
                                "b,x,2020-03-03,1\n"  // repeat in test: not a new interaction
                                "b,y,2020-01-03,1\n"
                                "a,y,2020-02-03,7\n"
                                "b,z,2020-03-05,4\n");
    LogSpec spec = timed_spec(path);
    PrepareSpec p = monthly_windows();
    p.filter.remove_cold_start = false;
    const PreparedData bin = prepare(read_log(spec), p);
    CHECK(pairs_text(bin, {Period::TrainVal, Period::Valid, Period::Test}) ==
          "train_val: a,x b,y; valid: a,y b,x; test: b,z");
    CHECK(bin.unique_pairs == 5);

    p.feedback = Feedback::Count;
    const PreparedData cnt = prepare(read_log(spec), p);
    CHECK(entries(cnt, Period::TrainVal) == Pairs{{{"a", "x"}, 2.0F}, {{"b", "y"}, 1.0F}});
    spec.value = {"qty", 0};
    p.feedback = Feedback::Value;
    const PreparedData val = prepare(read_log(spec), p);
    CHECK(pairs_text(val, {Period::TrainVal, Period::Valid}) ==
          "train_val: a,x=5 b,y; valid: a,y=7 b,x");
}

TEST_CASE("prepare: minimum filters in one pass or as an iterated k-core", "[engine][data]") {
    TempDir dir;
    // January (train_val): u1 {a,b}, u2 {a,b}, u3 {a,c}. February (valid = train): the same
    // shape with items shifted. March (test): one pair per user.
    const auto path = dir.write("log.csv",
                                "user,item,time\n"
                                "u1,a,2020-01-02\nu1,b,2020-01-03\nu2,a,2020-01-04\n"
                                "u2,b,2020-01-05\nu3,a,2020-01-06\nu3,c,2020-01-07\n"
                                "u1,d,2020-02-02\nu1,e,2020-02-03\nu2,d,2020-02-04\n"
                                "u2,e,2020-02-05\nu3,d,2020-02-06\nu3,f,2020-02-07\n"
                                "u1,f,2020-03-02\nu2,f,2020-03-03\nu3,e,2020-03-04\n");
    PrepareSpec p = monthly_windows();
    p.filter.min_user_interactions = 2;
    p.filter.min_item_interactions = 2;
    p.filter.remove_cold_start = false;
    const PreparedData one = prepare(read_log(timed_spec(path)), p);
    // One pass: item c has 1 interaction and goes; every user had 2, so u3 keeps a.
    CHECK(entries(one, Period::TrainVal) == Pairs{{{"u1", "a"}, 1.0F},
                                                  {{"u1", "b"}, 1.0F},
                                                  {{"u2", "a"}, 1.0F},
                                                  {{"u2", "b"}, 1.0F},
                                                  {{"u3", "a"}, 1.0F}});
    CHECK(entries(one, Period::Train).count({"u3", "d"}) == 1);
    CHECK(entries(one, Period::Train).count({"u3", "f"}) == 0);

    p.filter.k_core = true;
    const PreparedData core = prepare(read_log(timed_spec(path)), p);
    // Iterated: after c goes, u3 has 1 interaction and goes too; then a and b still have 2.
    CHECK(
        entries(core, Period::TrainVal) ==
        Pairs{{{"u1", "a"}, 1.0F}, {{"u1", "b"}, 1.0F}, {{"u2", "a"}, 1.0F}, {{"u2", "b"}, 1.0F}});
    CHECK(
        entries(core, Period::Train) ==
        Pairs{{{"u1", "d"}, 1.0F}, {{"u1", "e"}, 1.0F}, {{"u2", "d"}, 1.0F}, {{"u2", "e"}, 1.0F}});
    // Valid is not filtered by the minimum counts (only by cold-start removal, off here).
    CHECK(entries(core, Period::Valid).size() == 6);

    p.filter.min_item_interactions = 4;
    CHECK_THROWS_WITH(prepare(read_log(timed_spec(path)), p),
                      Catch::Contains("period 'train_val' is empty after filtering "
                                      "(min_user_interactions=2, min_item_interactions=4)"));
}

TEST_CASE("prepare: cold-start removal is relative to each training period", "[engine][data]") {
    TempDir dir;
    const auto path =
        dir.write("log.csv",
                  "user,item,time\n"
                  "u1,a,2020-01-02\nu2,b,2020-01-03\n"
                  "u1,b,2020-02-02\nu3,a,2020-02-03\nu2,c,2020-02-04\nu2,a,2020-02-05\n"
                  "u1,c,2020-03-02\nu3,b,2020-03-03\nu4,a,2020-03-04\nu2,d,2020-03-05\n");
    const PreparedData d = prepare(read_log(timed_spec(path)), monthly_windows());
    // valid vs train_val {u1,u2} × {a,b}: (u1,b) and (u2,a) stay; u3 and c are cold.
    CHECK(entries(d, Period::Valid) == Pairs{{{"u1", "b"}, 1.0F}, {{"u2", "a"}, 1.0F}});
    // train keeps every February pair; test vs train users {u1,u2,u3}, items {a,b,c}.
    CHECK(entries(d, Period::Train).size() == 4);
    CHECK(entries(d, Period::Test) == Pairs{{{"u1", "c"}, 1.0F}, {{"u3", "b"}, 1.0F}});
}

TEST_CASE("prepare: one global id space shared by the four matrices", "[engine][data]") {
    TempDir dir;
    const auto path = dir.write("log.csv",
                                "user,item,time\n"
                                "zed,i9,2020-01-02\namy,i10,2020-01-03\nzed,i10,2020-01-04\n"
                                "amy,i9,2020-02-02\nbob,i10,2020-02-03\nzed,i2,2020-02-04\n"
                                "bob,i9,2020-03-02\nzed,i2b,2020-03-03\n");
    PrepareSpec p = monthly_windows();
    p.filter.remove_cold_start = false;
    const PreparedData d = prepare(read_log(timed_spec(path)), p);
    CHECK(d.user_keys == std::vector<std::string>{"amy", "bob", "zed"});  // byte order
    CHECK(d.item_keys == std::vector<std::string>{"i10", "i2", "i2b", "i9"});
    for (const CsrMatrix& m : d.matrices) {
        CHECK(m.rows == 3);
        CHECK(m.cols == 4);
    }
    // Row of "zed" is 2 everywhere; its train_val items are i9 (3) and i10 (0).
    const CsrMatrix& tv = d.matrix(Period::TrainVal);
    CHECK(std::vector<Index>(tv.row_indices(2).begin(), tv.row_indices(2).end()) ==
          std::vector<Index>{0, 3});
    const CsrMatrix& te = d.matrix(Period::Test);
    CHECK(te.row_nnz(1) == 1);
    CHECK(te.row_indices(1)[0] == 3);  // bob, i9
    CHECK(te.row_indices(2)[0] == 2);  // zed, i2b
}

TEST_CASE("prepare: random holdout is seeded, per user, and shaped like the four periods",
          "[engine][data]") {
    TempDir dir;
    std::string text = "user,item\n";
    for (int u = 0; u < 200; ++u) {
        for (int i = 0; i < 20; ++i)
            text += std::to_string(u) + "," + std::to_string((u * 7 + i * 13) % 300) + "\n";
    }
    const auto path = dir.write("log.csv", text);
    LogSpec spec;
    spec.path = path;
    spec.user = {"user", 0};
    spec.item = {"item", 0};
    PrepareSpec p;
    p.split.method = SplitMethod::RandomHoldout;
    p.split.test_fraction = 0.2;
    p.split.valid_fraction = 0.25;
    p.filter.remove_cold_start = false;
    const PreparedData a = prepare(read_log(spec), p);
    const PreparedData b = prepare(read_log(spec), p);
    CHECK(a.fingerprint() == b.fingerprint());
    for (Index u = 0; u < a.matrix(Period::Test).rows; ++u) {
        // 20 items: 4 to test, round(0.25 * 16) = 4 to valid, 12 to train_val; train = 16.
        CHECK(a.matrix(Period::Test).row_nnz(u) == 4);
        CHECK(a.matrix(Period::Valid).row_nnz(u) == 4);
        CHECK(a.matrix(Period::TrainVal).row_nnz(u) == 12);
        CHECK(a.matrix(Period::Train).row_nnz(u) == 16);
    }
    // train = train_val ∪ valid, test disjoint from train.
    const auto tv = entries(a, Period::TrainVal);
    const auto va = entries(a, Period::Valid);
    const auto tr = entries(a, Period::Train);
    const auto te = entries(a, Period::Test);
    Pairs merged = tv;
    merged.insert(va.begin(), va.end());
    CHECK(merged == tr);
    for (const auto& [k, v] : te) CHECK(tr.count(k) == 0);
    p.split.seed = 7;
    CHECK(prepare(read_log(spec), p).fingerprint() != a.fingerprint());
    CHECK(a.stats[0].window.has_value() == false);
}

TEST_CASE("prepare: empty windows and periods are reported", "[engine][data]") {
    TempDir dir;
    const auto path = dir.write("log.csv", "user,item,time\na,x,2020-01-02\nb,x,2020-02-02\n");
    PrepareSpec p = monthly_windows();
    p.split.origin = "split at cfg.yaml:9";
    CHECK_THROWS_WITH(prepare(read_log(timed_spec(path)), p),
                      "split: period 'test' window [2020-03-01, 2020-04-01) selects no rows; the "
                      "log spans [2020-01-02, 2020-02-02] (split at cfg.yaml:9)");
}

TEST_CASE("prepared data round-trips through HDF5", "[engine][data]") {
    TempDir dir;
    const auto path =
        dir.write("log.csv",
                  "user,item,time,name\n"
                  "u1,a,2020-01-02,Apple\nu2,b,2020-01-03,Ball \"B\"\nu1,b,2020-02-02,\n"
                  "u2,a,2020-02-05,\nu1,c,2020-03-02,Cup\nu2,c,2020-03-03,\n");
    LogSpec spec = timed_spec(path);
    spec.item_name = {"name", 0};
    PrepareSpec p = monthly_windows();
    p.filter.remove_cold_start = false;
    const PreparedData d = prepare(read_log(spec), p);
    const std::string file = (dir.path() / "prepared.h5").string();
    save_prepared(d, {path, "data: {}\n"}, file);
    PreparedMeta meta;
    const PreparedData e = load_prepared(file, &meta);
    CHECK(e.fingerprint() == d.fingerprint());
    CHECK(e.item_names == std::vector<std::string>{"Apple", "Ball \"B\"", "Cup"});
    CHECK(meta.config_text == "data: {}\n");
    for (int k = 0; k < 4; ++k) {
        CHECK(e.matrices[k] == d.matrices[k]);
        CHECK(e.stats[k].rows == d.stats[k].rows);
        CHECK(e.stats[k].window->start == d.stats[k].window->start);
    }
    CHECK(dir.count_files() == 2);  // the log and prepared.h5: no temporary left behind
    CHECK_THROWS_WITH(load_prepared(path), Catch::Contains("not an HDF5 file"));
}
