#pragma once

#include "app/export/export_actions.h"
#include "core/common/training_observer.h"
#include "core/io/metrics_reader.h"

#include <QStringList>
#include <QWidget>

#include <vector>

namespace tau::widgets {
class TrainingCurvePlot;
class DistributionPlot;
class ScalarPlot;
class RunComparisonPlot;
} // namespace tau::widgets

namespace tau::app {

class ConfigEditor;

/**
 * The Train page: the config editor on the left; on the right the loss and learning rate (smoothing, log
 * scale) and the distribution of c, tau = t / c and r per epoch, live while a run trains or read from runs
 * that were recorded.
 */
class TrainPage : public QWidget
{
    Q_OBJECT

public:
    explicit TrainPage(ConfigEditor* editor, QWidget* parent = nullptr);
    ~TrainPage() override;

    /** Clears every plot for a run trained with global temperature @p t in batches of @p batchSize. */
    void beginRun(double t, int batchSize = 0);
    void addStep(const core::StepRecord& record);
    void addEpoch(const core::EpochRecord& record);

    /**
     * Shows recorded runs from their metrics.jsonl: the first in full, the others' losses overlaid; runs alike
     * but for the seed (with Group seeds on) as one mean curve with a ±1 std band. The Compare runs tab shows
     * any recorded series of them all the same way.
     * @return what to tell the user (the run shown, or why one could not be read).
     */
    QString showRecordedRuns(const QStringList& directories);

    /**
     * What the curves' x-axis counts: steps, epochs (fractional), images seen (step x batch size), or minutes of
     * wall time since the run's first record (records written before wall_time was recorded are left out).
     */
    enum class XAxis
    {
        Step,
        Epoch,
        Images,
        WallTime
    };
    void setXAxis(XAxis axis);
    void setGroupSeeds(bool group);

    /** The page's plots for the Export menu (the training curves first). */
    QVector<FigureEntry> figures() const;
    /**
     * Which of figures() Export starts at: the plot last clicked, or the lower tab last switched to, whichever
     * came last; the training curves until either happened.
     */
    int currentFigureIndex() const;

    ConfigEditor* editor() const { return m_editor; }
    widgets::TrainingCurvePlot* trainingCurves() const { return m_curves; }
    widgets::DistributionPlot* certaintyPlot() const { return m_certaintyPlot; }
    widgets::DistributionPlot* rawPlot() const { return m_rawPlot; }
    widgets::DistributionPlot* temperaturePlot() const { return m_temperaturePlot; }
    widgets::ScalarPlot* scalarPlot() const { return m_scalarPlot; }
    widgets::RunComparisonPlot* comparisonPlot() const { return m_comparisonPlot; }

    struct RecordedRun;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    QWidget* buildCurvePanel();
    QWidget* buildDistributions();
    void clearPlots();
    /** How one run's steps become x values. */
    struct Scale
    {
        double batchSize = 0;
        double stepsPerEpoch = 0;
        double startWallTime = 0; ///< the run's first record's wall time (0: unknown)
    };
    /** NaN where the point has no place on this axis (no wall time recorded). */
    double xOf(long long step, double wallTime, const Scale& scale) const;
    static Scale scaleOf(const core::MetricsHistory& history, int batchSize);
    void plotScalars(const std::map<std::string, double>& scalars, double x);
    void plotStep(const core::StepRecord& record, const Scale& scale);
    void plotEpoch(const core::EpochRecord& record, const Scale& scale);
    /** Shows again what is shown (the live run, or the recorded runs) after the axis or grouping changed. */
    void replay();
    /** Draws m_recorded: the first run in full, overlays, Compare runs. @return the status line. */
    QString drawRecordedRuns();

    ConfigEditor* m_editor;
    widgets::TrainingCurvePlot* m_curves = nullptr;
    widgets::DistributionPlot* m_certaintyPlot = nullptr;
    widgets::DistributionPlot* m_rawPlot = nullptr;
    widgets::DistributionPlot* m_temperaturePlot = nullptr;
    widgets::ScalarPlot* m_scalarPlot = nullptr;
    widgets::RunComparisonPlot* m_comparisonPlot = nullptr;
    double m_globalTemperature = 0.1; ///< t of the run shown: tau = t / c
    XAxis m_xAxis = XAxis::Step;
    bool m_groupSeeds = true;
    Scale m_liveScale;
    bool m_live = false;
    std::vector<core::StepRecord> m_liveSteps; ///< the live run's records, to draw again on another axis
    std::vector<core::EpochRecord> m_liveEpochs;
    std::vector<RecordedRun> m_recorded; ///< the recorded runs shown, as read (kept for redrawing)
    const QObject* m_chosenPlot = nullptr; ///< the plot the user last turned to (null: the training curves)
};

} // namespace tau::app
