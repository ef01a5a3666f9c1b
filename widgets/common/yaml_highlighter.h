#pragma once

#include <QRegularExpression>
#include <QSyntaxHighlighter>

namespace tau::widgets {

/** Light YAML colouring for the config editor: keys, comments, numbers and booleans. */
class YamlHighlighter : public QSyntaxHighlighter
{
    Q_OBJECT

public:
    explicit YamlHighlighter(QTextDocument* document);

protected:
    void highlightBlock(const QString& text) override;

private:
    struct Rule
    {
        QRegularExpression pattern;
        QTextCharFormat format;
        int group;
    };
    QVector<Rule> m_rules;
};

} // namespace tau::widgets
