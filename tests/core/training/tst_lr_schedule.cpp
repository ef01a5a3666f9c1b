#include "core/training/lr_schedule.h"

#include <QtTest>

#include <cmath>

using namespace tau::core;

class TestLrSchedule : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void warmupIsLinear();
    void cosineReachesItsEnds();
    void decaysMonotonically();
    void noWarmupStartsAtPeak();
    void mocoStepDropsAtItsMilestones();
};

void TestLrSchedule::warmupIsLinear()
{
    const WarmupCosineSchedule schedule(0.0, 1e-3, 0.0, 10, 110);
    QCOMPARE(schedule.at(0), 0.0);
    QVERIFY(std::abs(schedule.at(5) - 5e-4) < 1e-15);
    QVERIFY(std::abs(schedule.at(10) - 1e-3) < 1e-15);
}

void TestLrSchedule::cosineReachesItsEnds()
{
    const WarmupCosineSchedule schedule(0.0, 1.0, 0.1, 10, 110);
    // Half-way through the decay the cosine is at the midpoint of peak and final.
    QVERIFY(std::abs(schedule.at(60) - 0.55) < 1e-12);
    QVERIFY(std::abs(schedule.at(110) - 0.1) < 1e-12);
    QVERIFY(std::abs(schedule.at(500) - 0.1) < 1e-12);
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
    // 1000 steps: warm-up to step 10, then x0.1 from step 680 and x0.01 from step 830.
    const MocoStepSchedule schedule(0.0, 0.3, 10, 1000);
    QVERIFY(std::abs(schedule.at(5) - 0.15) < 1e-15);
    QCOMPARE(schedule.at(10), 0.3);
    QCOMPARE(schedule.at(679), 0.3);
    QVERIFY(std::abs(schedule.at(680) - 0.03) < 1e-15);
    QVERIFY(std::abs(schedule.at(829) - 0.03) < 1e-15);
    QVERIFY(std::abs(schedule.at(830) - 0.003) < 1e-15);
    QVERIFY(std::abs(schedule.at(999) - 0.003) < 1e-15);
}

QTEST_APPLESS_MAIN(TestLrSchedule)
#include "tst_lr_schedule.moc"
