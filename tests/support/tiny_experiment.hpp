#pragma once
/// Test helpers: a tiny deterministic purchase log, its item file and an experiment config
/// over them, small enough that `knntune run` finishes in a few seconds.

#include <cstdint>
#include <cstdio>
#include <string>

namespace knntune::test {

/// A small purchase log: 60 users, 40 items, three months, with a popularity skew and user
/// taste groups so that the measures differ. Deterministic (a fixed linear congruential draw).
/// Columns: user, item, time.
inline std::string tiny_log() {
    std::string s = "user,item,time\n";
    std::uint64_t x = 12345;
    auto next = [&x]() {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<unsigned>(x >> 33);
    };
    for (int day = 0; day < 90; ++day) {
        for (int e = 0; e < 12; ++e) {
            const unsigned u = next() % 60;
            const unsigned group = u % 3;
            unsigned item = (next() % 2 == 0) ? group * 10 + next() % 10 : next() % 40;
            if (next() % 4 == 0) item = next() % 5;  // a popular head
            char line[64];
            std::snprintf(line, sizeof line, "u%u,i%u,2020-%02d-%02d %02d:00\n", u, item,
                          1 + day / 30, 1 + day % 28, e);
            s += line;
        }
    }
    return s;
}

/// An item file for `tiny_log`: columns id, name, group. Items i0..i39 get names (some with
/// HTML and Markdown punctuation, to exercise escaping) and the taste group they belong to.
inline std::string tiny_items() {
    std::string s = "id,name,group\n";
    for (int i = 0; i < 40; ++i) {
        const std::string name = i == 0   ? std::string("Mug & <Saucer>")
                                 : i == 1 ? std::string("Tea_light *holder* | white")
                                          : "Item " + std::to_string(i);
        const std::string group = i < 5 ? "head" : "group " + std::to_string(i / 10);
        s += "i" + std::to_string(i) + "," + name + "," + group + "\n";
    }
    return s;
}

/// Knobs of `tiny_config`; the defaults give the runner test's configuration.
struct TinyConfig {
    int n_trials = 6;
    int parallel_trials = 2;
    bool item_metadata = false;  ///< join items.csv (write `tiny_items()` there) for names/groups
    std::string report = "  bootstrap_samples: 200\n";  ///< body of the `report` section
    std::string enqueue{};  ///< more `search.enqueue` entries, "    - {algorithm: ...}\n" each
};

/// An experiment on log.csv: item- and user-KNN over cosine, rp3beta and jaccard, objective
/// ndcg@5, one enqueued rp3beta configuration, output in `run/`.
inline std::string tiny_config(const TinyConfig& c = {}) {
    return "schema_version: 1\n"
           "data:\n"
           "  path: log.csv\n"
           "  columns: {user: user, item: item, timestamp: time}\n" +
           std::string(c.item_metadata ? "  item_metadata: {path: items.csv, id: id, name: name, "
                                         "attribute: group}\n"
                                       : "") +
           "split:\n"
           "  end: 2020-03-29\n"
           "  window: 4 weeks\n"
           "models: [item_knn, user_knn]\n"
           "search:\n"
           "  measures: [cosine, rp3beta, jaccard]\n"
           "  k: {low: 2, high: 30, log: true}\n"
           "  shrink: {low: 0, high: 10}\n"
           "  enqueue:\n"
           "    - {algorithm: rp3beta, k: 10, shrink: 1, alpha: 0.5, beta: 0.3}\n" +
           c.enqueue +
           "tuner:\n"
           "  n_trials: " +
           std::to_string(c.n_trials) +
           "\n"
           "  seed: 3\n"
           "  parallel_trials: " +
           std::to_string(c.parallel_trials) +
           "\n"
           "objective:\n"
           "  metric: ndcg@5\n"
           "  extra: [precision@5, recall@5]\n"
           "report:\n" +
           c.report +
           "output:\n"
           "  dir: run\n";
}

/// The runner test's configuration with `n_trials` trials.
inline std::string tiny_config(int n_trials) {
    return tiny_config(TinyConfig{.n_trials = n_trials});
}

}  // namespace knntune::test
