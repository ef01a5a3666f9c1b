#pragma once

#include "app/export/export_actions.h"
#include "core/common/training_observer.h"

#include <QStringList>
#include <QWidget>

namespace tau::widgets {
class TrainingCurvePlot;
class DistributionPlot;
class ScalarPlot;
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

    /** Clears every plot for a run trained with global temperature @p t. */
    void beginRun(double t);
    void addStep(const core::StepRecord& record);
    void addEpoch(const core::EpochRecord& record);

    /**
     * Shows recorded runs from their metrics.jsonl: the first in full, the others' losses overlaid.
     * @return what to tell the user (the run shown, or why one could not be read).
     */
    QString showRecordedRuns(const QStringList& directories);

    /** The page's plots for the Export menu (the training curves first). */
    QVector<FigureEntry> figures() const;

    ConfigEditor* editor() const { return m_editor; }
    widgets::TrainingCurvePlot* trainingCurves() const { return m_curves; }
    widgets::DistributionPlot* certaintyPlot() const { return m_certaintyPlot; }
    widgets::DistributionPlot* rawPlot() const { return m_rawPlot; }
    widgets::DistributionPlot* temperaturePlot() const { return m_temperaturePlot; }
    widgets::ScalarPlot* scalarPlot() const { return m_scalarPlot; }

private:
    QWidget* buildCurvePanel();
    QWidget* buildDistributions();
    void clearPlots();

    ConfigEditor* m_editor;
    widgets::TrainingCurvePlot* m_curves = nullptr;
    widgets::DistributionPlot* m_certaintyPlot = nullptr;
    widgets::DistributionPlot* m_rawPlot = nullptr;
    widgets::DistributionPlot* m_temperaturePlot = nullptr;
    widgets::ScalarPlot* m_scalarPlot = nullptr;
    double m_globalTemperature = 0.1; ///< t of the run shown: tau = t / c
};

} // namespace tau::app
