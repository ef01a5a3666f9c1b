// The OOD metrics against scikit-learn (Debian's python3-sklearn) on random and on heavily tied scores.

#include "core/evaluation/ood_metrics.h"
#include "tests/support/test_support.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <limits>
#include <random>
#include <algorithm>

using namespace tau::core;
using nlohmann::json;

namespace {

struct ScoreCase
{
    std::string name;
    std::vector<double> id, ood;
};

std::vector<ScoreCase> makeCases()
{
    std::mt19937_64 random(2021);
    std::normal_distribution<double> normal;
    std::vector<ScoreCase> cases;
    const auto draw = [&](size_t n, double shift, double rounding) {
        std::vector<double> values(n);
        for (double& v : values) {
            v = normal(random) + shift;
            if (rounding > 0) {
                v = std::round(v / rounding) * rounding; // few distinct values: many ties
            }
        }
        return values;
    };
    cases.push_back({"random, well separated", draw(500, 1.5, 0), draw(700, 0, 0)});
    cases.push_back({"random, overlapping", draw(300, 0.2, 0), draw(300, 0, 0)});
    cases.push_back({"heavily tied", draw(400, 0.5, 1.0), draw(600, 0, 1.0)});
    cases.push_back({"ties across the classes", draw(200, 0, 0.5), draw(50, 0, 0.5)});
    cases.push_back({"inverted (AUROC < 0.5)", draw(250, -1.0, 0), draw(250, 0, 0)});
    ScoreCase constant{"all equal", std::vector<double>(10, 1.0), std::vector<double>(20, 1.0)};
    cases.push_back(constant);
    return cases;
}

void compareVectors(const std::vector<double>& got, const std::vector<double>& want, const char* what)
{
    QVERIFY2(got.size() == want.size(), qPrintable(QStringLiteral("%1: %2 points vs %3").arg(what).arg(got.size()).arg(want.size())));
    for (size_t i = 0; i < got.size(); ++i) {
        QVERIFY2(std::abs(got[i] - want[i]) <= 1e-9, qPrintable(QStringLiteral("%1[%2]: %3 vs %4").arg(what).arg(i).arg(got[i]).arg(want[i])));
    }
}

} // namespace

class TestOodMetrics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void nanScoresRankLastWhateverTheOrder();
    void initTestCase();
    void matchScikitLearn_data();
    void matchScikitLearn();
    void bootstrapIntervalsContainTheEstimate();
    void emptySetsAreRefused();

private:
    std::vector<ScoreCase> m_cases;
    json m_reference;
};

void TestOodMetrics::initTestCase()
{
    m_cases = makeCases();
    json spec = json::array();
    for (const ScoreCase& c : m_cases) {
        spec.push_back({{"id", c.id}, {"ood", c.ood}});
    }
    QTemporaryDir dir;
    const QString input = dir.filePath("scores.json"), output = dir.filePath("sklearn.json");
    std::ofstream(input.toStdString()) << spec.dump(-1, ' ', false, json::error_handler_t::strict);
    const auto result = tau::test::runReferenceScript("ood_metrics_reference.py", {input, output});
    QVERIFY2(result.exitCode == 0, result.standardError.constData());
    m_reference = json::parse(tau::test::readFile(output).toStdString());
}

void TestOodMetrics::matchScikitLearn_data()
{
    QTest::addColumn<int>("index");
    for (size_t i = 0; i < m_cases.size(); ++i) {
        QTest::newRow(m_cases[i].name.c_str()) << int(i);
    }
}

void TestOodMetrics::matchScikitLearn()
{
    QFETCH(int, index);
    const ScoreCase& c = m_cases[size_t(index)];
    const json& want = m_reference[size_t(index)];
    const OodMetrics metrics = computeOodMetrics(c.id, c.ood);
    QVERIFY(std::abs(metrics.auroc - want["auroc"].get<double>()) <= 1e-9);
    QVERIFY(std::abs(metrics.fpr95 - want["fpr95"].get<double>()) <= 1e-9);
    QVERIFY(std::abs(metrics.fpr95OodPositive - want["fpr95_ood_positive"].get<double>()) <= 1e-9);
    QVERIFY2(std::abs(metrics.auprIn - want["aupr_in"].get<double>()) <= 1e-9,
             qPrintable(QStringLiteral("%1 vs %2").arg(metrics.auprIn, 0, 'g', 15).arg(want["aupr_in"].get<double>(), 0, 'g', 15)));
    QVERIFY(std::abs(metrics.auprOut - want["aupr_out"].get<double>()) <= 1e-9);
    const RocCurve curve = rocCurve(c.id, c.ood);
    compareVectors(curve.fpr, want["fpr"].get<std::vector<double>>(), "fpr");
    compareVectors(curve.tpr, want["tpr"].get<std::vector<double>>(), "tpr");
    compareVectors(std::vector<double>(curve.thresholds.begin() + 1, curve.thresholds.end()),
                   want["thresholds"].get<std::vector<double>>(), "thresholds");
}

void TestOodMetrics::bootstrapIntervalsContainTheEstimate()
{
    const ScoreCase c = m_cases[1];
    const OodMetrics metrics = computeOodMetrics(c.id, c.ood);
    const OodMetricIntervals intervals = bootstrapIntervals(c.id, c.ood, 200, 7);
    QVERIFY(intervals.auroc.low < metrics.auroc && metrics.auroc < intervals.auroc.high);
    QVERIFY(intervals.auroc.high - intervals.auroc.low < 0.2);
    const OodMetricIntervals again = bootstrapIntervals(c.id, c.ood, 200, 7);
    QCOMPARE(again.auroc.low, intervals.auroc.low); // seeded
}

void TestOodMetrics::emptySetsAreRefused()
{
    QVERIFY_THROWS_EXCEPTION(std::exception, computeOodMetrics({}, {1.0}));
}

void TestOodMetrics::nanScoresRankLastWhateverTheOrder()
{
    // A NaN score is the least in-distribution: the metrics equal those with NaN replaced by the lowest number,
    // and do not depend on where the NaNs sit (std::sort with `>` on NaN would be undefined).
    const double nan = std::nan("");
    const double lowest = -std::numeric_limits<double>::max();
    std::vector<double> id{0.9, nan, 0.8, 0.3, nan, 0.7};
    std::vector<double> ood{0.1, 0.85, nan, 0.2};
    std::vector<double> idLowest = id, oodLowest = ood;
    for (double& v : idLowest) {
        v = std::isnan(v) ? lowest : v;
    }
    for (double& v : oodLowest) {
        v = std::isnan(v) ? lowest : v;
    }
    const OodMetrics expected = computeOodMetrics(idLowest, oodLowest);
    std::mt19937 shuffle(7);
    for (int round = 0; round < 20; ++round) {
        std::shuffle(id.begin(), id.end(), shuffle);
        std::shuffle(ood.begin(), ood.end(), shuffle);
        const OodMetrics metrics = computeOodMetrics(id, ood);
        QCOMPARE(metrics.auroc, expected.auroc);
        QCOMPARE(metrics.auprIn, expected.auprIn);
        QCOMPARE(metrics.auprOut, expected.auprOut);
        QCOMPARE(metrics.fpr95, expected.fpr95);
    }
}

QTEST_APPLESS_MAIN(TestOodMetrics)
#include "tst_ood_metrics.moc"
