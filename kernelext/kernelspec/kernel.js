// kernel.js of the project's gonb kernelspec (`make tools` copies it next to
// kernel.json). Jupyter Notebook 6 and nbclassic load a kernelspec's kernel.js
// when a notebook with that kernel opens and call its onload.
//
// GoNB answers Shift-Tab (an inspect_request) with gopls's documentation as
// text/markdown only, but the Notebook's tooltip and pager show only
// text/plain: the tooltip stays empty. This adds a text/plain rendering of
// the markdown to the reply when the kernel sends none, so the tooltip shows
// the documentation. JupyterLab does not load kernel.js; it renders the
// markdown itself.
define(['services/kernels/kernel'], function (kernelModule) {
    'use strict';

    // plainText turns gopls's hover markdown into readable plain text:
    // code fences, horizontal rules and inline code marks dropped, links as
    // "text <url>", heading marks and backslash escapes removed.
    function plainText(md) {
        return md
            .replace(/^```[A-Za-z]*[ \t]*\n?/gm, '')
            .replace(/^[ \t]*(-[ \t]*){3,}$/gm, '')
            .replace(/\[([^\]]*)\]\(([^)\s]+)\)/g, function (_, text, url) {
                return text.replace(/`/g, '') + ' <' + url + '>';
            })
            .replace(/`([^`\n]*)`/g, '$1')
            .replace(/^#{1,6}[ \t]+/gm, '')
            .replace(/\\([\\`*_{}\[\]()#+\-.!|])/g, '$1')
            .replace(/\n{3,}/g, '\n\n')
            .trim();
    }

    function onload() {
        var Kernel = kernelModule.Kernel;
        if (!Kernel || Kernel.prototype.astronbInspect) {
            return;
        }
        var inspect = Kernel.prototype.inspect;
        Kernel.prototype.inspect = function (code, cursorPos, callback) {
            var withPlain = callback && function (reply) {
                var data = reply && reply.content && reply.content.data;
                if (data && !data['text/plain'] && typeof data['text/markdown'] === 'string') {
                    data['text/plain'] = plainText(data['text/markdown']);
                }
                return callback.apply(this, arguments);
            };
            return inspect.call(this, code, cursorPos, withPlain);
        };
        Kernel.prototype.astronbInspect = true;
    }

    return {onload: onload, plainText: plainText};
});
