#include "widgets/plots/qcp.h"
#include "widgets/plots/training_curve_plot.h"

#include <QtTest>

#include <cmath>

using tau::widgets::CurveSeries;
using tau::widgets::TrainingCurvePlot;

class TestTrainingCurvePlot : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void smoothingIsADebiasedMovingAverage();
    void zeroSmoothingShowsTheRawLoss();
    void overlaysAndLogScale();
    void followsADarkPalette();
    void legendWrapsToThePlotsWidth();
};

void TestTrainingCurvePlot::smoothingIsADebiasedMovingAverage()
{
    TrainingCurvePlot plot;
    plot.setSmoothing(0.9);
    const QVector<double> losses = {5.0, 4.0, 4.5, 3.0};
    for (int i = 0; i < losses.size(); ++i) {
        plot.addStep(i + 1, losses[i], 0.1);
    }
    const QVector<double> smoothed = plot.smoothedLosses();
    // The first value is the loss itself (debiasing removes the pull towards 0) ...
    QVERIFY(std::abs(smoothed[0] - 5.0) < 1e-12);
    // ... and the last is sum(w^(n-i) (1-w) x_i) / (1 - w^n).
    double numerator = 0;
    for (int i = 0; i < 4; ++i) {
        numerator += std::pow(0.9, 3 - i) * 0.1 * losses[i];
    }
    QVERIFY(std::abs(smoothed[3] - numerator / (1.0 - std::pow(0.9, 4))) < 1e-12);
}

void TestTrainingCurvePlot::zeroSmoothingShowsTheRawLoss()
{
    TrainingCurvePlot plot;
    plot.setSmoothing(0.0);
    plot.addStep(1, 2.0, 0.1);
    plot.addStep(2, 1.0, 0.1);
    QCOMPARE(plot.smoothedLosses(), (QVector<double>{2.0, 1.0}));
    QCOMPARE(plot.stepPointCount(), 2);
}

void TestTrainingCurvePlot::overlaysAndLogScale()
{
    TrainingCurvePlot plot;
    plot.setOverlays({CurveSeries{"other", {1, 2, 3}, {3, 2, 1}, {}}, CurveSeries{"third", {1, 2}, {4, 4}, {}}});
    QCOMPARE(plot.overlayCount(), 2);
    plot.setOverlays({});
    QCOMPARE(plot.overlayCount(), 0);
    // A group of seeds: its mean as a curve and ±1 std as a filled band, left out of the legend.
    plot.setSmoothing(0.0);
    plot.setOverlays({CurveSeries{"seeds", {1, 2}, {3, 2}, {0.5, 0.25}}});
    QCOMPARE(plot.overlayCount(), 1);
    QCOMPARE(plot.bandCount(), 1);
    QCPGraph* upper = plot.plot()->graph(plot.plot()->graphCount() - 2);
    QCOMPARE(upper->data()->at(0)->value, 3.5);
    QVERIFY(upper->channelFillGraph() != nullptr);
    QCOMPARE(upper->channelFillGraph()->data()->at(1)->value, 1.75);
    QCOMPARE(plot.plot()->legend->itemCount(), 5); // the four curves of the run and the group's mean
    plot.setLogarithmic(true);
    QCOMPARE(plot.plot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
    plot.setLogarithmic(false);
    QCOMPARE(plot.plot()->yAxis->scaleType(), QCPAxis::stLinear);
}

void TestTrainingCurvePlot::followsADarkPalette()
{
    TrainingCurvePlot plot;
    QPalette dark;
    dark.setColor(QPalette::Base, QColor(30, 30, 30));
    dark.setColor(QPalette::Text, QColor(230, 230, 230));
    plot.setPalette(dark);
    QCOMPARE(plot.plot()->xAxis->labelColor(), QColor(230, 230, 230));
    QCOMPARE(plot.plot()->yAxis->tickLabelColor(), QColor(230, 230, 230));
}

// The legend under the axes takes as many columns as the plot is wide: one row when wide, more rows when narrow,
// and never an entry cut at the plot's edge.
void TestTrainingCurvePlot::legendWrapsToThePlotsWidth()
{
    TrainingCurvePlot curves;
    curves.resize(900, 300);
    curves.show();
    QVERIFY(QTest::qWaitForWindowExposed(&curves));
    QCPLegend* legend = curves.plot()->legend;
    const auto rowsOf = [legend] { return legend->rowCount(); };
    QTRY_COMPARE(rowsOf(), 1); // four entries side by side
    curves.resize(260, 300);
    QTRY_VERIFY(rowsOf() > 1);
    curves.plot()->replot();
    for (int i = 0; i < legend->elementCount(); ++i) {
        if (auto* item = legend->elementAt(i)) {
            QVERIFY2(item->outerRect().right() <= curves.plot()->width() + 1,
                     qPrintable(QStringLiteral("entry %1 ends at %2 of %3").arg(i).arg(item->outerRect().right()).arg(curves.plot()->width())));
        }
    }
    curves.resize(900, 300);
    QTRY_COMPARE(rowsOf(), 1);
}

QTEST_MAIN(TestTrainingCurvePlot)
#include "tst_training_curve_plot.moc"
