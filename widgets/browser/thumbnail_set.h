#pragma once

#include <QImage>
#include <QString>
#include <QStringList>
#include <QVector>

#include <memory>

namespace tau::widgets {

/**
 * Images with one score each, as the widgets see them: plain pixels and numbers, no tensors. Shared (read-only)
 * between the certainty browser and the embedding view.
 */
struct ThumbnailSet
{
    QString name;
    bool outOfDistribution = false;
    int channels = 1;
    int height = 0;
    int width = 0;
    QByteArray pixels;      ///< [count, channels, height, width] uint8, channel-first
    QVector<int> labels;    ///< -1: no label
    QStringList classNames;
    QVector<double> scores; ///< certainty c per image (higher: more certain); empty when the run has none
    QString scoreName = QStringLiteral("c");

    int count() const { return int(labels.size()); }
    bool hasScores() const { return !scores.isEmpty(); }
    QString className(int image) const;
    /** The image at @p index as an 8-bit grey or RGB QImage (a copy, independent of this set). */
    QImage image(int index) const;
};

using SharedThumbnailSet = std::shared_ptr<const ThumbnailSet>;

} // namespace tau::widgets
