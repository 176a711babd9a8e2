// CardStyles holds what inline styles cannot say: the spinner's keyframes, and hiding the copy of
// our buttons Mattermost draws from the post's attachment (kept for mobile and other clients).
export function CardStyles({postId}: {postId: string}) {
    const hideAttachment = (/^[A-Za-z0-9]+$/).test(postId) ? `#messageAttachmentList_${postId}{display:none}` : '';
    return (
        <style>
            {'@keyframes buildbot-spin{to{transform:rotate(360deg)}}' +
                '.buildbot-spinner{animation:buildbot-spin 1s linear infinite}' +
                '@media (prefers-reduced-motion: reduce){.buildbot-spinner{animation:none}}' +
                hideAttachment}
        </style>
    );
}
