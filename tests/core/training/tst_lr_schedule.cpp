#include "core/training/lr_schedule.h"

#include "tests/support/test_support.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <array>
#include <cmath>
#include <fstream>

using namespace tau::core;

class TestLrSchedule : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void matchesTheOriginalsPerStepArray();
    void decaysMonotonically();
    void noWarmupStartsAtPeak();
    void mocoStepDropsAtItsMilestones();
};

void TestLrSchedule::matchesTheOriginalsPerStepArray()
{
    // (start, peak, final, warm-up epochs, epochs, steps per epoch): the original's CIFAR run, the study's
    // one-epoch warm-up of 25 steps, a final rate above 0, and a warm-up of a single step.
    const std::vector<std::array<double, 6>> cases = {{0.0, 1e-4, 0.0, 10, 200, 390},
                                                      {0.0, 1e-3, 0.0, 1, 8, 25},
                                                      {1e-5, 0.3, 1e-3, 2, 5, 7},
                                                      {0.0, 0.5, 0.0, 1, 3, 1}};
    nlohmann::json input = nlohmann::json::array();
    for (const auto& c : cases) {
        input.push_back({{"start", c[0]}, {"peak", c[1]}, {"final", c[2]}, {"warmup_epochs", int(c[3])},
                         {"epochs", int(c[4])}, {"iters", int(c[5])}});
    }
    QTemporaryDir dir;
    const QString in = dir.filePath("in.json"), out = dir.filePath("out.json");
    std::ofstream(in.toStdString()) << input.dump();
    const auto result = tau::test::runReferenceScript("lr_schedule_reference.py", {in, out});
    QVERIFY2(result.exitCode == 0, result.standardError.constData());
    const auto arrays = nlohmann::json::parse(tau::test::readFile(out).toStdString()).get<std::vector<std::vector<double>>>();
    for (size_t i = 0; i < cases.size(); ++i) {
        const auto& c = cases[i];
        const auto iters = (long long)c[5];
        const WarmupCosineSchedule schedule(c[0], c[1], c[2], (long long)c[3] * iters, (long long)c[4] * iters);
        QCOMPARE((long long)arrays[i].size(), (long long)c[4] * iters);
        for (size_t step = 0; step < arrays[i].size(); ++step) {
            const double expected = arrays[i][step];
            QVERIFY2(std::abs(schedule.at((long long)step) - expected) <= 1e-12 * std::max(1.0, std::abs(expected)),
                     qPrintable(QStringLiteral("case %1, step %2: %3 here, %4 in the original's array")
                                    .arg(i).arg(step).arg(schedule.at((long long)step), 0, 'g', 17).arg(expected, 0, 'g', 17)));
        }
    }
}

void TestLrSchedule::decaysMonotonically()
{
    const WarmupCosineSchedule schedule(0.0, 1.0, 0.0, 3, 50);
    for (long long step = 4; step < 50; ++step) {
        QVERIFY(schedule.at(step) < schedule.at(step - 1));
    }
}

void TestLrSchedule::noWarmupStartsAtPeak()
{
    const WarmupCosineSchedule schedule(0.5, 2.0, 0.0, 0, 10);
    QCOMPARE(schedule.at(0), 2.0);
}

void TestLrSchedule::mocoStepDropsAtItsMilestones()
{
    // 1000 steps: warm-up over steps 0-9, then x0.1 from step 680 and x0.01 from step 830 (our option: the
    // original's MoCo scheduler was overridden by its per-step warm-up + cosine, see original_layout.cpp).
    const MocoStepSchedule schedule(0.0, 0.3, 10, 1000);
    QVERIFY(std::abs(schedule.at(5) - 0.3 * 5.0 / 9.0) < 1e-15); // the same np.linspace warm-up
    QCOMPARE(schedule.at(9), 0.3);
    QCOMPARE(schedule.at(10), 0.3);
    QCOMPARE(schedule.at(679), 0.3);
    QVERIFY(std::abs(schedule.at(680) - 0.03) < 1e-15);
    QVERIFY(std::abs(schedule.at(829) - 0.03) < 1e-15);
    QVERIFY(std::abs(schedule.at(830) - 0.003) < 1e-15);
    QVERIFY(std::abs(schedule.at(999) - 0.003) < 1e-15);
}

QTEST_APPLESS_MAIN(TestLrSchedule)
#include "tst_lr_schedule.moc"
