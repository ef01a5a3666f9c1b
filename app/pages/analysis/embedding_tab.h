#pragma once

#include "app/export/export_actions.h"
#include "app/workers/analysis_worker.h"
#include "widgets/browser/thumbnail_set.h"
#include "widgets/plots/embedding_plot.h"

#include <QWidget>

#include <memory>
#include <vector>

class QComboBox;
class QDoubleSpinBox;
class QPushButton;

namespace tau::core {
struct ScannedImages;
}

namespace tau::app {

/** A scanned set as the embedding takes it: what the model said, and its thumbnails. */
struct EmbeddedSet
{
    std::shared_ptr<const core::ScannedImages> scan;
    widgets::SharedThumbnailSet thumbnails;
};

/**
 * The Embedding tab of the Analyse page: the features h of a seeded choice of the ID test images (and of every
 * OOD set added) by PCA at once, or by t-SNE on request; coloured by c or by class; hover and click an image.
 */
class EmbeddingTab : public QWidget
{
    Q_OBJECT

public:
    explicit EmbeddingTab(QWidget* parent = nullptr);

    /** The OOD sets offered by "Add an OOD set…". */
    void setSetChoices(const QStringList& sets);
    /** Projects @p sets (the ID set first) by PCA; an earlier t-SNE no longer holds then. */
    void showSets(const QVector<EmbeddedSet>& sets);
    /** What t-SNE would project now; false when there are too few points. */
    bool tsneRequest(ProjectionRequest& request) const;
    /** Shows t-SNE coordinates; false when the points changed while they were computed. */
    bool showTsne(const QVector<double>& coordinates);
    void setBusy(bool busy);

    /** The embedding as a figure, once it has points. */
    QVector<FigureEntry> figures() const;
    widgets::EmbeddingPlot* plot() const { return m_embedding; }

Q_SIGNALS:
    void setRequested(const QString& name);
    void tsneRequested();
    /** An image was clicked: image @p image of @p set. */
    void imageClicked(const widgets::SharedThumbnailSet& set, int image);

private:
    QVector<widgets::EmbeddingPoint> pointsAt(const std::vector<double>& coordinates) const;
    void setTsneAvailable(bool available);

    QVector<EmbeddedSet> m_shown;
    // Which image each projected point is, and the features that were projected.
    QVector<widgets::SharedThumbnailSet> m_sets;
    QVector<QPair<int, int>> m_members;
    std::shared_ptr<std::vector<float>> m_features;
    int64_t m_dim = 0;

    widgets::EmbeddingPlot* m_embedding;
    QComboBox* m_projection;
    QPushButton* m_tsneButton;
    QComboBox* m_colouring;
    QDoubleSpinBox* m_clampLow;
    QDoubleSpinBox* m_clampHigh;
    QComboBox* m_addSet;
};

} // namespace tau::app
