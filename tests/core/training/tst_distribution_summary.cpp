#include "core/training/distribution_summary.h"
#include "tests/support/test_support.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <fstream>
#include <random>

using namespace tau::core;

class TestDistributionSummary : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void matchesNumpy_data();
    void matchesNumpy();
    void emptyInputGivesZeros();
    void nanCountsAsOutOfRange();
};

void TestDistributionSummary::matchesNumpy_data()
{
    QTest::addColumn<int>("count");
    QTest::addColumn<double>("low");
    QTest::addColumn<double>("high");
    QTest::addColumn<int>("bins");
    QTest::newRow("c in [0,1], 20 bins") << 1000 << 0.0 << 1.0 << 20;
    QTest::newRow("r in [-2,2], 40 bins, values outside") << 777 << -2.0 << 2.0 << 40;
    QTest::newRow("two values") << 2 << 0.0 << 1.0 << 5;
}

void TestDistributionSummary::matchesNumpy()
{
    QFETCH(int, count);
    QFETCH(double, low);
    QFETCH(double, high);
    QFETCH(int, bins);
    std::mt19937 random(42);
    std::normal_distribution<float> normal(float(0.5 * (low + high)), float(0.4 * (high - low)));
    std::vector<float> values(static_cast<size_t>(count));
    for (float& v : values) {
        v = normal(random);
    }
    QTemporaryDir dir;
    const QString input = dir.filePath("values.json");
    std::ofstream(input.toStdString()) << nlohmann::json{{"values", values}, {"low", low}, {"high", high}, {"bins", bins}}.dump();
    const auto result = tau::test::runReferenceScript("distribution_reference.py", {input});
    QVERIFY2(result.exitCode == 0, result.standardError.constData());
    const auto expected = nlohmann::json::parse(result.standardOutput.toStdString());

    const Percentiles p = percentilesOf(values);
    const std::vector<double> got = {p.p5, p.p25, p.p50, p.p75, p.p95};
    const auto want = expected["percentiles"].get<std::vector<double>>();
    for (size_t i = 0; i < got.size(); ++i) {
        QVERIFY2(std::abs(got[i] - want[i]) <= 1e-6 * (1 + std::abs(want[i])),
                 qPrintable(QStringLiteral("percentile %1: %2 vs numpy %3").arg(i).arg(got[i]).arg(want[i])));
    }
    QVERIFY(std::abs(p.mean - expected["mean"].get<double>()) <= 1e-6);

    const Histogram h = fixedHistogram(values, low, high, bins);
    QCOMPARE(h.counts, expected["counts"].get<std::vector<long long>>());
    QCOMPARE(h.below, expected["below"].get<long long>());
    QCOMPARE(h.above, expected["above"].get<long long>());
    const auto edges = expected["edges"].get<std::vector<double>>();
    QCOMPARE(h.edges.size(), edges.size());
    for (size_t i = 0; i < edges.size(); ++i) {
        QVERIFY(std::abs(h.edges[i] - edges[i]) <= 1e-12);
    }

    // r's histogram: bins spanning the values themselves, as numpy's without a range.
    const Histogram fitted = fittedHistogram(values, bins);
    QCOMPARE(fitted.counts, expected["fitted_counts"].get<std::vector<long long>>());
    QCOMPARE(fitted.below + fitted.above, 0LL);
    const auto fittedEdges = expected["fitted_edges"].get<std::vector<double>>();
    QCOMPARE(fitted.edges.size(), fittedEdges.size());
    for (size_t i = 0; i < fittedEdges.size(); ++i) {
        QVERIFY(std::abs(fitted.edges[i] - fittedEdges[i]) <= 1e-9 * (1 + std::abs(fittedEdges[i])));
    }
}

void TestDistributionSummary::emptyInputGivesZeros()
{
    const Percentiles p = percentilesOf({});
    QCOMPARE(p.p50, 0.0);
    const Histogram h = fixedHistogram({}, 0, 1, 4);
    QCOMPARE(h.counts, (std::vector<long long>{0, 0, 0, 0}));
}

void TestDistributionSummary::nanCountsAsOutOfRange()
{
    const Histogram h = fixedHistogram({0.1f, std::nanf(""), 1.0f, 2.0f}, 0, 1, 2);
    QCOMPARE(h.counts, (std::vector<long long>{1, 1}));
    QCOMPARE(h.below, 1LL);
    QCOMPARE(h.above, 1LL);
}

QTEST_APPLESS_MAIN(TestDistributionSummary)
#include "tst_distribution_summary.moc"
